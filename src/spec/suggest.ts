/**
 * Did-you-mean suggestions and value lists for diagnostics' hints.
 *
 * Pure and small on purpose: every "unknown X" diagnostic answers with either the closest valid value or
 * the list of valid ones, so a user never has to open the documentation to fix a typo.
 */

/** Optimal string alignment distance (Levenshtein plus adjacent transposition), capped for speed. */
export function editDistance(a: string, b: string, cap = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1);
    row[0] = i;
    rows.push(row);
  }
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i]!;
    const prev = rows[i - 1]!;
    let best = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      row[j] = value;
      if (value < best) best = value;
    }
    // Every later row is at least this row's minimum: stop early once it is past the cap.
    if (best > cap) return cap + 1;
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate closest to `input`, if it is close enough to be a plausible typo (distance at most a
 * third of the input's length, at least 1 and at most 3). Ties go to the alphabetically first candidate
 * so that the hint is deterministic.
 */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const cap = Math.min(3, Math.max(1, Math.floor(input.length / 3)));
  let best: string | undefined;
  let bestDistance = cap + 1;
  for (const candidate of candidates) {
    if (candidate === input) continue;
    const d = editDistance(input.toLowerCase(), candidate.toLowerCase(), cap);
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= cap ? best : undefined;
}

/** `did you mean "x"?` when a close candidate exists, else undefined. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const match = closest(input, candidates);
  return match === undefined ? undefined : `did you mean "${match}"?`;
}

/** `valid values: a, b, c` (sorted, deduplicated; long lists are cut with a count). */
export function validValues(values: Iterable<string>, label = 'valid values', max = 12): string {
  const sorted = [...new Set(values)].sort();
  if (sorted.length === 0) return `${label}: none`;
  const shown = sorted.slice(0, max).join(', ');
  return `${label}: ${shown}${sorted.length > max ? `, ... (${sorted.length - max} more)` : ''}`;
}

/** The did-you-mean when there is one, else the list of valid values: the hint for an unknown value. */
export function suggest(input: string, candidates: readonly string[], label = 'valid values'): string {
  return didYouMean(input, candidates) ?? validValues(candidates, label);
}
