/**
 * Canonical addresses and their order: the one sort used for every list archipel outputs.
 *
 * The order is "natural" (a run of digits compares as a number, so app/x/par-1/2 comes before
 * app/x/par-1/10) and locale-free (code units, never localeCompare), so output is byte-identical on every
 * machine. It is a single scan without allocation: sorting thousands of flows stays cheap.
 */

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Natural, locale-free comparison of two addresses; a total order (equal values such as 01 and 1 are
 *  finally told apart by plain comparison). */
export function compareAddresses(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      let ej = j;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      let si = i;
      while (si < ei - 1 && a.charCodeAt(si) === 48) si++;
      let sj = j;
      while (sj < ej - 1 && b.charCodeAt(sj) === 48) sj++;
      if (ei - si !== ej - sj) return ei - si - (ej - sj);
      for (let k = 0; k < ei - si; k++) {
        const d = a.charCodeAt(si + k) - b.charCodeAt(sj + k);
        if (d !== 0) return d;
      }
      i = ei;
      j = ej;
      continue;
    }
    if (ca !== cb) return ca - cb;
    i++;
    j++;
  }
  const rest = a.length - i - (b.length - j);
  if (rest !== 0) return rest;
  return a < b ? -1 : 1;
}

/** A copy sorted by the address each item yields. */
export function sortByAddress<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => compareAddresses(key(a), key(b)));
}

/** Canonical address of a flow: flow/FROM->TO:PORT, with /udp for udp. */
export function flowAddress(from: string, to: string, port: number, protocol: 'tcp' | 'udp'): string {
  return `flow/${from}->${to}:${port}${protocol === 'udp' ? '/udp' : ''}`;
}

/** Resolve a flow target as written in the estate (payroll, db/main) to an owner address (app/payroll). */
export function targetAddress(to: string): string {
  return /^(db|cache|bucket)\//.test(to) ? to : `app/${to}`;
}
