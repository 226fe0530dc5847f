/**
 * The backup plan: each level (zone, cross-zone, vault) with how long its keep rules hold a backup, and every
 * item (database WAL, cache snapshot, bucket objects, application volumes) at every level. An item whose
 * delete-by limit is shorter than what a level keeps is listed as excluded, with the reason: a backup must
 * not outlive a legal deletion deadline (camera footage stays out of long-lived levels). Personal data is
 * encrypted with a key of its class so that it can be crypto-shredded.
 */
import type { BackupLevelModel, Model } from '../model/model.ts';
import { compareAddresses } from '../model/address.ts';
import { formatDuration } from '../spec/durations.ts';
import type { DataClassName } from '../spec/schema.ts';
import { deleteAfter } from './buckets.ts';
import type { BackupItem, BackupPlan } from './types.ts';

const HOUR = 3600;
const DAY = 24 * HOUR;

/** The longest time a level's keep rules hold a backup (monthly = 30 days, yearly = 365 days). */
export function keepsFor(level: Pick<BackupLevelModel, 'keep' | 'everySeconds'>): number {
  const k = level.keep;
  return Math.max(
    0,
    (k.last ?? 0) * level.everySeconds,
    (k.hourly ?? 0) * HOUR,
    (k.daily ?? 0) * DAY,
    (k.weekly ?? 0) * 7 * DAY,
    (k.monthly ?? 0) * 30 * DAY,
    (k.yearly ?? 0) * 365 * DAY,
  );
}

interface Source {
  source: string;
  class: DataClassName;
  method: BackupItem['method'];
  deleteAfterSeconds?: number;
}

export function compileBackups(model: Model): BackupPlan {
  const levels = model.backups.map((l) => ({
    level: l.level,
    everySeconds: l.everySeconds,
    keep: { ...l.keep },
    immutable: l.immutable,
    keepsForSeconds: keepsFor(l),
  }));
  const sources: Source[] = [
    ...model.databases.map((d) => ({ source: d.address, class: 'operational' as const, method: 'postgres-wal' as const })),
    ...model.caches.map((c) => ({ source: c.address, class: 'operational' as const, method: 'redis-rdb' as const })),
    ...model.buckets.map((b) => {
      const limit = deleteAfter(b);
      return { source: b.address, class: b.class, method: 'files' as const, ...(limit !== undefined ? { deleteAfterSeconds: limit } : {}) };
    }),
    ...model.applications.flatMap((a) =>
      a.data.volumes.map((v) => ({ source: `${a.address}/volume/${v.name}`, class: v.class, method: 'files' as const })),
    ),
  ];
  const items: BackupItem[] = [];
  for (const level of levels) {
    for (const s of sources) {
      const tooLong = s.deleteAfterSeconds !== undefined && level.keepsForSeconds > s.deleteAfterSeconds;
      const kept = formatDuration(level.keepsForSeconds);
      items.push({
        address: `backup/${s.source}@${level.level}`,
        source: s.source,
        level: level.level,
        class: s.class,
        method: s.method,
        included: !tooLong,
        ...(s.class === 'personal' ? { encryptionKeyClass: 'personal' } : {}),
        reason: tooLong
          ? `the ${level.level} level keeps backups ${kept}, longer than the ${formatDuration(s.deleteAfterSeconds!)} delete-by limit of ${s.source}`
          : s.deleteAfterSeconds !== undefined
            ? `kept ${kept}, within the ${formatDuration(s.deleteAfterSeconds)} delete-by limit`
            : `kept ${kept}`,
      });
    }
  }
  items.sort((a, b) => compareAddresses(a.address, b.address));
  return { levels, items };
}
