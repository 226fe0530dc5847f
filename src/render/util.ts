/**
 * What every renderer shares: a locale-free string order, strict checks on every value that reaches a
 * rule, a config file or a path, and the lookup of a flow endpoint (an owner's private network or an
 * infrastructure block) to its prefix and the zones it is present in.
 *
 * The compiler already validated the estate; a value failing these checks here is a bug, so they throw.
 */
import type { CompiledEstate } from '../compile/types.ts';

/** Code-unit order: independent of the machine's locale, so output is byte-identical everywhere. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const PATTERNS = {
  name: /^[a-z][a-z0-9-]{0,62}$/,
  ipv4: /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/,
  cidr: /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/,
  host: /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
  // Canonical addresses: lower-case names joined by '/', '->', ':', '@' and '.' (frontend/HOST, flow/A->B:PORT).
  address: /^[a-z0-9][a-z0-9./:@>_-]{0,400}$/,
  httpPath: /^\/[A-Za-z0-9._~\-/]*$/,
} as const;

export type ValueKind = keyof typeof PATTERNS;

/** Throw unless `value` matches the strict pattern of its kind; returns it for inline use. */
export function checked(kind: ValueKind, value: string): string {
  if (!PATTERNS[kind].test(value)) throw new Error(`render: invalid ${kind} ${JSON.stringify(value)}`);
  return value;
}

export function checkedPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`render: invalid port ${port}`);
  return port;
}

/** A flow endpoint resolved to the prefix the firewall matches and the zones it lives in. */
export interface Endpoint {
  address: string;
  cidr: string;
  /** Zones where the endpoint has addresses; empty for a location outside every zone (witness, vault). */
  zones: string[];
}

/** Index every flow endpoint of the estate: owners (through their private network) and infrastructure blocks. */
export function endpointIndex(estate: CompiledEstate): (address: string) => Endpoint {
  const index = new Map<string, Endpoint>();
  for (const network of estate.networks) {
    index.set(network.owner, {
      address: network.owner,
      cidr: checked('cidr', network.cidr),
      zones: network.zones.map((z) => z.zone).sort(compareStrings),
    });
  }
  for (const block of estate.infrastructure) {
    index.set(block.address, { address: block.address, cidr: checked('cidr', block.cidr), zones: block.zone ? [block.zone] : [] });
  }
  return (address) => {
    const found = index.get(address);
    if (!found) throw new Error(`render: flow endpoint ${address} has neither a private network nor an infrastructure block`);
    return found;
  };
}

/** 32-bit FNV-1a as 8 hex digits: a short, stable suffix for derived names (no crypto needed). */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
