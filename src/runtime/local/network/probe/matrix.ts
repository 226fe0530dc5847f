/**
 * The probe's pure half: who probes whom (endpoints from the network state, owners from the compiled
 * estate), what the DECLARED matrix allows (compiled flows, plus any pair inside one private network), and
 * how observed outcomes become differences: an unexpected open path (reached but not declared: a
 * segmentation failure) or an unexpected closed path (declared, listening, but filtered or silent).
 */
import type { CompiledEstate } from '../../../../compile/types.ts';
import type { NetworkState } from '../state.ts';
import type { Outcome } from './helper.ts';

/** Fixed, unusual ports the probe listens on itself in every target namespace. */
export const CANARY_TCP = 39917;
export const CANARY_UDP = 39917;

export interface Endpoint {
  namespace: string;
  /** Canonical address (app/web/par-1/0, edge/par-1, witness/par-3). */
  address: string;
  /** What flows name: app/web, db/main, edge/par-1, witness/par-3. */
  owner: string;
  role: 'instance' | 'edge' | 'witness';
  zone?: string;
  ip: string;
}

function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const n = Number(bits);
  const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
  return ((ipToInt(ip) & mask) >>> 0) === ((ipToInt(base!) & mask) >>> 0);
}

/** The owner of an address: a private network's owner (app/web, db/main) or an infra block (edge/par-1...). */
export function ownerOfIp(compiled: CompiledEstate, ip: string): string | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return undefined;
  for (const n of compiled.networks) if (inCidr(ip, n.cidr)) return n.owner;
  for (const b of compiled.infrastructure) if (inCidr(ip, b.cidr)) return b.address;
  return undefined;
}

/** Probe endpoints: every instance, edge and witness namespace recorded, with its owner. */
export function endpointsOf(compiled: CompiledEstate, state: NetworkState): Endpoint[] {
  const instances = new Map(compiled.instances.map((i) => [i.address, i]));
  const out: Endpoint[] = [];
  for (const ns of state.namespaces) {
    if (ns.role === 'router') continue;
    const instance = instances.get(ns.address);
    const ip = ns.ip ?? instance?.ip;
    if (!ip) continue;
    const owner = instance?.owner ?? (ns.role === 'instance' ? ownerOfIp(compiled, ip) : ns.address);
    if (!owner) continue;
    out.push({ namespace: ns.name, address: ns.address, owner, role: ns.role, ...(ns.zone ? { zone: ns.zone } : {}), ip });
  }
  return out.sort((a, b) => a.address.localeCompare(b.address));
}

/** Which targets a source tries: instances try every other instance and the witness; edges and the witness try instances. */
export function targetsOf(source: Endpoint, endpoints: Endpoint[]): Endpoint[] {
  return endpoints.filter((t) => {
    if (t.namespace === source.namespace) return false;
    if (source.role === 'instance') return t.role === 'instance' || t.role === 'witness';
    return t.role === 'instance';
  });
}

/** The declared matrix as a lookup. */
export function declaredMatrix(compiled: CompiledEstate): (from: string, to: string, port: number, protocol: 'tcp' | 'udp') => boolean {
  const allowed = new Set(compiled.flows.map((f) => `${f.from}>${f.to}>${f.port}/${f.protocol}`));
  const networkOwners = new Set(compiled.networks.map((n) => n.owner));
  return (from, to, port, protocol) => (from === to && networkOwners.has(from)) || allowed.has(`${from}>${to}>${port}/${protocol}`);
}

/** Ports the probe holds open on a target when nothing listens there: its declared ports, so every declared flow is tested. */
export function standInPorts(compiled: CompiledEstate, endpoint: Endpoint): { port: number; protocol: 'tcp' | 'udp' }[] {
  const seen = new Map<string, { port: number; protocol: 'tcp' | 'udp' }>();
  for (const f of compiled.flows) if (f.to === endpoint.owner) seen.set(`${f.port}/${f.protocol}`, { port: f.port, protocol: f.protocol });
  const instance = compiled.instances.find((i) => i.address === endpoint.address);
  for (const p of instance?.ports ?? []) seen.set(`${p.port}/${p.protocol}`, { port: p.port, protocol: p.protocol });
  return [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

export interface Attempt {
  source: Endpoint;
  target: Endpoint;
  port: number;
  protocol: 'tcp' | 'udp';
  /** Why this port is tried: a listener found in the kernel, or the probe's own canary. */
  via: 'listener' | 'canary';
}

export interface Difference {
  kind: 'unexpected-open' | 'unexpected-closed';
  source: string;
  target: string;
  sourceOwner: string;
  targetOwner: string;
  ip: string;
  port: number;
  protocol: 'tcp' | 'udp';
  observed: Outcome;
}

export interface ProbeSummary {
  sources: number;
  targets: number;
  attempts: number;
  open: number;
  closed: number;
  filtered: number;
  silent: number;
  errors: number;
  /** Attempts the declared matrix allows. */
  declared: number;
  /** Undeclared attempts that reached a network in observe mode (logged and accepted by design). */
  observed: number;
  differences: number;
}

/**
 * Compares outcomes with the declared matrix, one attempt at a time (the region has half a million: none is
 * kept unless it is a difference). Closed (a reset) means the packet reached the target.
 */
export function createComparison(compiled: CompiledEstate) {
  const declared = declaredMatrix(compiled);
  const observing = new Set(compiled.networks.filter((n) => n.observe).map((n) => n.owner));
  const counts = { open: 0, closed: 0, filtered: 0, silent: 0, error: 0 };
  const differences: Difference[] = [];
  const sources = new Set<string>();
  const targets = new Set<string>();
  let attempts = 0;
  let allowedCount = 0;
  let observedCount = 0;
  return {
    add(source: Endpoint, target: Endpoint, port: number, protocol: 'tcp' | 'udp', outcome: Outcome): void {
      attempts++;
      counts[outcome]++;
      sources.add(source.namespace);
      targets.add(target.namespace);
      const allowed = declared(source.owner, target.owner, port, protocol);
      if (allowed) allowedCount++;
      const reached = outcome === 'open' || outcome === 'closed';
      const blocked = outcome === 'filtered' || outcome === 'silent';
      let kind: Difference['kind'] | undefined;
      if (!allowed && reached && (observing.has(source.owner) || observing.has(target.owner))) observedCount++;
      else if (!allowed && reached) kind = 'unexpected-open';
      else if (allowed && blocked) kind = 'unexpected-closed';
      if (kind) {
        differences.push({ kind, source: source.address, target: target.address, sourceOwner: source.owner, targetOwner: target.owner, ip: target.ip, port, protocol, observed: outcome });
      }
    },
    finish(): { summary: ProbeSummary; differences: Difference[] } {
      differences.sort((x, y) => x.kind.localeCompare(y.kind) || x.source.localeCompare(y.source) || x.target.localeCompare(y.target) || x.port - y.port || x.protocol.localeCompare(y.protocol));
      return {
        summary: {
          sources: sources.size,
          targets: targets.size,
          attempts,
          open: counts.open,
          closed: counts.closed,
          filtered: counts.filtered,
          silent: counts.silent,
          errors: counts.error,
          declared: allowedCount,
          observed: observedCount,
          differences: differences.length,
        },
        differences,
      };
    },
  };
}

/** compare() over a list: the same as adding each attempt to a comparison. */
export function compare(compiled: CompiledEstate, attempts: Attempt[], outcomes: Outcome[]): { summary: ProbeSummary; differences: Difference[] } {
  const comparison = createComparison(compiled);
  attempts.forEach((a, i) => comparison.add(a.source, a.target, a.port, a.protocol, outcomes[i] ?? 'error'));
  return comparison.finish();
}

/** Human report: the summary, then one line per difference. */
export function formatReport(summary: ProbeSummary, differences: Difference[], seconds: number): string {
  const lines = [
    `probe: ${summary.sources} sources x ${summary.targets} targets, ${summary.attempts} attempts in ${seconds.toFixed(2)} s`,
    `  open ${summary.open}, closed ${summary.closed}, filtered ${summary.filtered}, silent ${summary.silent}, errors ${summary.errors}; declared ${summary.declared}, reached in observe mode ${summary.observed}`,
  ];
  for (const d of differences) {
    const what = d.kind === 'unexpected-open' ? 'UNEXPECTED OPEN  ' : 'UNEXPECTED CLOSED';
    const why = d.kind === 'unexpected-open' ? 'not declared' : 'declared';
    lines.push(`  ${what} ${d.source} -> ${d.target} ${d.ip}:${d.port}/${d.protocol} (${d.observed}; ${d.sourceOwner} -> ${d.targetOwner} ${why})`);
  }
  lines.push(summary.differences === 0 ? 'probe: the observed matrix is exactly the declared one' : `probe: ${summary.differences} difference(s) from the declared matrix`);
  return `${lines.join('\n')}\n`;
}

/**
 * Listeners an instance has on ports its estate does not declare (probe canaries excluded): behind a correct
 * firewall they are filtered and make no difference, but they are services nobody declared, so the probe
 * names them.
 */
export function undeclaredListeners(compiled: CompiledEstate, listeners: Record<string, string[]>): { instance: string; port: string }[] {
  const found: { instance: string; port: string }[] = [];
  for (const instance of compiled.instances) {
    const declared = new Set(instance.ports.map((p) => `${p.port}/${p.protocol}`));
    declared.add(`${CANARY_TCP}/tcp`).add(`${CANARY_UDP}/udp`);
    for (const port of listeners[instance.address] ?? []) if (!declared.has(port)) found.push({ instance: instance.address, port });
  }
  return found;
}
