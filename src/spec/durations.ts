/**
 * Durations of the estate file (15m, 30d, 2y) as seconds. A year is 365 days and a week 7 days: delete-by
 * limits compare conservatively (2y is never read as longer than 730 days).
 */
import { DURATION_PATTERN } from './schema.ts';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** Seconds in a duration string; throws on a string the schema would have rejected (a bug, not input). */
export function parseDuration(text: string): number {
  if (!DURATION_PATTERN.test(text)) throw new Error(`invalid duration ${JSON.stringify(text)}`);
  if (text === '0s') return 0;
  const unit = text.slice(-1);
  return Number(text.slice(0, -1)) * UNIT_SECONDS[unit]!;
}

/** Largest exact unit: 2592000 -> "30d", 90 -> "90s". */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  for (const unit of ['y', 'w', 'd', 'h', 'm']) {
    const size = UNIT_SECONDS[unit]!;
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
