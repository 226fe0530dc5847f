/**
 * IPv4 arithmetic the network layer needs to carve link subnets out of the compiled infrastructure blocks,
 * and the guard that keeps every local address inside 198.18.0.0/15 (the benchmarking range), so a local
 * estate can never shadow a real network.
 */

export interface Cidr {
  base: number;
  prefix: number;
}

/** The only range the local target numbers namespaces from. */
export const LOCAL_RANGE = '198.18.0.0/15';

export function parseIp(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`invalid IPv4 address "${ip}"`);
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) throw new Error(`invalid IPv4 address "${ip}"`);
    value = value * 256 + Number(part);
  }
  return value;
}

export function formatIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function parseCidr(cidr: string): Cidr {
  const [ip, length, extra] = cidr.split('/');
  const prefix = Number(length);
  if (ip === undefined || extra !== undefined || !/^[0-9]{1,2}$/.test(length ?? '') || prefix > 32) {
    throw new Error(`invalid CIDR "${cidr}"`);
  }
  const size = 2 ** (32 - prefix);
  const base = parseIp(ip);
  if (base % size !== 0) throw new Error(`invalid CIDR "${cidr}" (host bits set)`);
  return { base, prefix };
}

export function cidrSize(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.base)}/${cidr.prefix}`;
}

export function contains(outer: Cidr, ip: number): boolean {
  return ip >= outer.base && ip < outer.base + cidrSize(outer);
}

/** The `index`-th /30 of a block: its CIDR and its two hosts (.1 and .2). Throws if the block is too small. */
export function linkSubnet(block: string, index: number, what: string): { cidr: string; a: string; b: string } {
  const parsed = parseCidr(block);
  const base = parsed.base + index * 4;
  if (base + 4 > parsed.base + cidrSize(parsed)) {
    throw new Error(`${what}: block ${block} is too small for link ${index} (needs ${(index + 1) * 4} addresses)`);
  }
  return { cidr: formatCidr({ base, prefix: 30 }), a: formatIp(base + 1), b: formatIp(base + 2) };
}

/** Throws unless `cidrOrIp` lies inside LOCAL_RANGE: no namespace gets an address outside it. */
export function checkLocal(cidrOrIp: string, what: string): void {
  const range = parseCidr(LOCAL_RANGE);
  const [ip, length] = cidrOrIp.split('/');
  const first = parseIp(ip ?? '');
  const last = length === undefined ? first : first + cidrSize(parseCidr(cidrOrIp)) - 1;
  if (!contains(range, first) || !contains(range, last)) {
    throw new Error(`${what}: ${cidrOrIp} is outside ${LOCAL_RANGE}, the only range the local target uses`);
  }
}
