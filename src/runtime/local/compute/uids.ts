/**
 * Application uids: each application's instances run under a uid of their own, allocated deterministically
 * (a stable hash slot in a range no distribution hands out) and then kept in the compute state, so that an
 * application's files keep their owner across `up`s. No /etc/passwd entry is made: the kernel needs none.
 */
import { createHash } from 'node:crypto';

/** First uid of the range; 200000-265535 is above Debian's dynamic and container sub-uid defaults' reach here. */
export const UID_BASE = 200_000;
/** Number of slots in the range. */
export const UID_SLOTS = 65_536;

function slot(estate: string, app: string): number {
  return createHash('sha256').update(`uid:${estate}/${app}`).digest().readUInt32BE(0) % UID_SLOTS;
}

/**
 * Uids for `apps` (application names): those already allocated keep theirs; new ones take their hash slot,
 * or the next free one on a collision (apps are taken in sorted order so the result is deterministic).
 */
export function allocateUids(estate: string, apps: readonly string[], existing: Readonly<Record<string, number>> = {}): Record<string, number> {
  const result: Record<string, number> = {};
  const taken = new Set<number>();
  for (const app of [...apps].sort()) {
    const uid = existing[app];
    if (uid !== undefined) {
      result[app] = uid;
      taken.add(uid);
    }
  }
  for (const app of [...apps].sort()) {
    if (result[app] !== undefined) continue;
    let s = slot(estate, app);
    while (taken.has(UID_BASE + s)) s = (s + 1) % UID_SLOTS;
    result[app] = UID_BASE + s;
    taken.add(UID_BASE + s);
  }
  return Object.fromEntries(Object.entries(result).sort(([a], [b]) => (a < b ? -1 : 1)));
}
