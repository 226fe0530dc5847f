/**
 * The edge layer's pure half: the host entry point's HAProxy configuration (loopback port -> the zone edges,
 * each reached inside its namespace with HAProxy's per-server `namespace` keyword), configuration hashes and
 * the plan (create / update = reload / keep / delete) from the recorded state. No I/O here.
 */
import { createHash } from 'node:crypto';
import type { PlannedAction } from '../layer.ts';
import { checkKernelName } from '../network/names.ts';
import { STATS_PORT } from '../../../render/haproxy.ts';

/** Default loopback port of the entry point (override: ARCHIPEL_ENTRY_PORT). */
export const DEFAULT_ENTRY_PORT = 8480;
export const EDGE_HTTP_PORT = 80;

/** One zone edge as the entry point reaches it. */
export interface EdgeTarget {
  zone: string;
  namespace: string;
  ip: string;
}

/** A HAProxy process the layer runs: its configuration file and its runit service directory. */
export interface ProxyRecord {
  /** Canonical address: edge/ZONE or entry. */
  address: string;
  /** Namespace it runs in (absent: the host). */
  namespace?: string;
  cfg: string;
  /** runit service directory (runsv SERVICE supervises it; SERVICE/supervise/pid is the master). */
  service: string;
  /** sha256 of the configuration last started or reloaded. */
  hash: string;
}

export interface EdgeState {
  estate: string;
  entryPort: number;
  proxies: ProxyRecord[];
}

export function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Estate and zone names: what the schema allows, re-checked because they land in a config file. */
function checkName(name: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`entry: invalid name "${name}"`);
  return name;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Parses a port from the environment; undefined when unset, an error when invalid. */
export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`ARCHIPEL_ENTRY_PORT: ${value} is not a port (1-65535)`);
  return port;
}

/**
 * The entry point: loopback only, the Host header passed through untouched (mode http, no rewrite), every
 * zone edge a server reached in its namespace. Fast checks + redispatch: losing one edge is invisible to
 * clients (measured for instances in NOTES-local-target.md; same settings here).
 */
export function renderEntryConfig(estate: string, port: number, edges: EdgeTarget[]): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`entry: invalid port ${port}`);
  const servers = [...edges].sort((a, b) => (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0));
  const lines = [
    `# archipel: entry point of estate ${checkName(estate)} on host loopback. Generated, do not edit.`,
    'global',
    '  maxconn 4000',
    '',
    'defaults',
    '  mode http',
    '  option redispatch',
    '  retries 2',
    // An edge killed while holding our connection answers nothing: retry that request on the other edge
    // (HAProxy buffers it; measured: without this the first request after kill -9 of an edge got a 502).
    '  retry-on conn-failure empty-response response-timeout',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-request 10s',
    '  timeout queue 5s',
    '  timeout check 1s',
    '',
    'frontend entry',
    `  bind 127.0.0.1:${port}`,
    '  default_backend edges',
    '',
    'backend edges',
    '  balance roundrobin',
    // An HTTP check, not a TCP one: a frozen edge (zone loss) still completes the TCP handshake in its
    // kernel, so only a check that needs HAProxy itself to answer sees the zone go silent.
    '  option httpchk GET /stats',
    '  default-server inter 500ms fall 2 rise 1',
  ];
  for (const edge of servers) {
    checkName(edge.zone);
    checkKernelName(edge.namespace);
    if (!IPV4.test(edge.ip)) throw new Error(`entry: invalid edge address ${edge.ip}`);
    lines.push(`  server ${edge.zone} ${edge.ip}:${EDGE_HTTP_PORT} namespace ${edge.namespace} check port ${STATS_PORT}`);
  }
  lines.push('');
  return lines.join('\n');
}

/** Plan: compare recorded proxies with the desired ones by address and configuration hash (pure). */
export function planProxies(recorded: ProxyRecord[], desired: ProxyRecord[]): PlannedAction[] {
  const before = new Map(recorded.map((p) => [p.address, p]));
  const actions: PlannedAction[] = [];
  for (const p of desired) {
    const old = before.get(p.address);
    if (!old) actions.push({ address: p.address, action: 'create', reason: 'start haproxy' });
    else if (old.hash !== p.hash || old.namespace !== p.namespace) actions.push({ address: p.address, action: 'update', reason: 'configuration changed: reload' });
    else actions.push({ address: p.address, action: 'keep', reason: 'unchanged' });
  }
  const wanted = new Set(desired.map((p) => p.address));
  for (const p of recorded) if (!wanted.has(p.address)) actions.push({ address: p.address, action: 'delete', reason: 'no longer in the estate' });
  return actions.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}
