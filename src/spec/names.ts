/**
 * Names that become kernel objects, file names and rule identifiers: what makes one safe, and how targets
 * derive short names from them.
 *
 * The schema's pattern (lower-case a-z, 0-9 and "-") already rejects shell metacharacters, "../", upper
 * case and Unicode look-alikes. This module adds what a pattern cannot say well: reserved words that mean
 * something to ip/nft/haproxy or to JavaScript objects, ugly-but-legal forms that break derived names
 * ("a-", "a--b"), and names that collide once a target squeezes them to fit a length limit.
 */
import { createHash } from 'node:crypto';
import { NAME_PATTERN } from './schema.ts';

/**
 * Words a name may not be: keywords of `ip` (default, all, lo...), of nftables/HAProxy (any, host), and
 * JavaScript object properties that would shadow a lookup in a plain record (constructor, prototype).
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'all',
  'any',
  'constructor',
  'default',
  'host',
  'lo',
  'local',
  'localhost',
  'none',
  'null',
  'proto',
  'prototype',
  'root',
  'self',
  'undefined',
]);

/** Why a name is not safe, or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  if (!NAME_PATTERN.test(name)) {
    return 'must start with a lower-case letter and contain only a-z, 0-9 and "-" (at most 63 characters)';
  }
  if (RESERVED_NAMES.has(name)) return `"${name}" is a reserved word`;
  if (name.endsWith('-')) return 'must not end with "-"';
  if (name.includes('--')) return 'must not contain "--"';
  return undefined;
}

/** True when `name` may become an interface, namespace, file or rule name (after a target's prefixing). */
export function isSafeName(name: string): boolean {
  return nameProblem(name) === undefined;
}

/** A name with its dashes removed: what two names look like once a target shortens them. */
export function squeezeName(name: string): string {
  return name.replace(/-/g, '');
}

/**
 * Groups of distinct names that differ only by "-" placement (`ab-c`, `a-bc`), each group sorted, groups
 * sorted by their first name. Such names collide when a target drops dashes to fit a length limit.
 */
export function dashCollisions(names: Iterable<string>): string[][] {
  const bySqueezed = new Map<string, Set<string>>();
  for (const name of names) {
    const key = squeezeName(name);
    let group = bySqueezed.get(key);
    if (!group) bySqueezed.set(key, (group = new Set()));
    group.add(name);
  }
  return [...bySqueezed.values()]
    .filter((g) => g.size > 1)
    .map((g) => [...g].sort())
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** First `length` hex characters of sha256(text): the short, stable suffix targets use to derive names. */
export function shortHash(text: string, length = 8): string {
  if (!Number.isInteger(length) || length < 1 || length > 64) throw new RangeError(`shortHash length ${length} not in 1..64`);
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, length);
}
