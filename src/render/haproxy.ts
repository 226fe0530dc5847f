/**
 * The edge of each zone: one HAProxy configuration per zone (`haproxy/ZONE.cfg`).
 *
 * Every edge load-balances each exposed application across the instances of ALL zones (losing a zone loses
 * its edge, not the application), routes by Host header, checks health fast (`inter 500ms fall 2 rise 1`:
 * a dead instance is out within about a second) and retries elsewhere (`retries 2` + `option redispatch`:
 * measured zero client errors when an instance is killed). Access policy rendered here: source networks
 * (acl src) and rate limits (stick-table); identity and device checks (JWT, mTLS) are a later layer.
 * Metrics: Prometheus on a separate port, which the traffic frontend never routes to.
 */
import type { Artefact, CompiledEstate, Frontend } from '../compile/types.ts';
import { checked, checkedPort, compareStrings } from './util.ts';

/** The open-files limit of one process here (soft = hard, cannot be raised): HAProxy refuses a maxconn above it. */
export const FD_LIMIT = 20_000;
/** Upper bound on one edge's connections, whatever the estate. */
export const MAX_CONNECTIONS = 9000;
export const HTTP_PORT = 80;
/**
 * Slowest health-check interval of an edge. How fast an edge stops sending to a dead instance is a property
 * of the platform (measured: down in 0.5-1 s at 500 ms, with zero client errors thanks to redispatch), so an
 * application's slower status-check interval does not slow its failover; a faster one is kept.
 */
export const EDGE_CHECK_MS = 500;
export const STATS_PORT = 8404;

/**
 * Connections one edge may hold: each proxied connection costs two descriptors (client and server side);
 * health checks, listeners and logs need a few more. Kept under the fd limit so HAProxy starts.
 */
export function edgeMaxConnections(estate: CompiledEstate): number {
  const servers = estate.frontends.reduce((n, f) => n + f.backends.length, 0);
  const reserve = 256 + servers;
  return Math.max(1, Math.min(MAX_CONNECTIONS, Math.floor((FD_LIMIT - reserve) / 2)));
}

/** HAProxy proxy names allow [A-Za-z0-9_.:-]; canonical names have no '_', so '/' -> '_' is unambiguous. */
function proxyName(address: string): string {
  return checked('address', address).replaceAll('/', '_');
}

/** Backend name per frontend: the application's, or application + host when one application has several hosts. */
function backendNames(frontends: Frontend[]): Map<string, string> {
  const perApp = new Map<string, number>();
  for (const f of frontends) perApp.set(f.app, (perApp.get(f.app) ?? 0) + 1);
  return new Map(frontends.map((f) => [f.address, perApp.get(f.app)! > 1 ? `${proxyName(f.app)}_${f.host}` : proxyName(f.app)]));
}

/** A policy that admits only some users, devices or MFA sessions (anything but plain public access). */
export function requiresIdentity(policy: Frontend['policy']): boolean {
  return !policy.public || policy.device === 'managed' || policy.mfa;
}

function backend(frontend: Frontend, name: string): string[] {
  const lines = [`backend ${name}`, `  # ${frontend.address} -> ${frontend.app}`];
  const policy = frontend.policy;
  const who = policy.public ? ['public'] : [...policy.groups.map((g) => `group:${g}`), ...policy.users.map((u) => `user:${u}`)];
  lines.push(`  # access: ${who.join(', ') || 'nobody'}; device ${policy.device}${policy.mfa ? '; mfa' : ''} (identity checks: later layer${requiresIdentity(policy) ? '; refused until then' : ''})`);
  lines.push('  balance roundrobin');
  const closed = requiresIdentity(policy);
  if (closed) {
    // Fail closed: group, user, managed-device and MFA checks belong to the zero-trust layer (JWT + mTLS),
    // which this edge does not run yet. Until it does, a restricted application is refused to everyone
    // rather than served to anyone.
    lines.push('  http-request return status 403 content-type text/plain string "archipel: access to this application needs identity checks this edge does not perform yet"');
  }
  if (frontend.health.http) lines.push(`  option httpchk GET ${checked('httpPath', frontend.health.http)}`);
  const interval = Math.max(100, Math.min(EDGE_CHECK_MS, Math.round(frontend.health.intervalMs)));
  lines.push(`  default-server inter ${interval}ms fall 2 rise 1`);
  // Source and rate limits would follow a final refusal and never apply: omitted while closed.
  if (!closed && policy.sources.length > 0) {
    const sources = [...policy.sources].map((s) => checked('cidr', s)).sort(compareStrings);
    lines.push(`  acl allowed_sources src ${sources.join(' ')}`, '  http-request deny deny_status 403 if !allowed_sources');
  }
  if (!closed && policy.rateLimit) {
    const { requests, perSeconds } = policy.rateLimit;
    if (!Number.isInteger(requests) || requests < 1 || !Number.isInteger(perSeconds) || perSeconds < 1) {
      throw new Error(`render: invalid rate limit on ${frontend.address}`);
    }
    // One entry per client address; an entry lives as long as its rate window.
    lines.push(
      `  stick-table type ip size 100k expire ${perSeconds}s store http_req_rate(${perSeconds}s)`,
      '  http-request track-sc0 src',
      `  http-request deny deny_status 429 if { sc_http_req_rate(0) gt ${requests} }`,
    );
  }
  const servers = [...frontend.backends].sort((a, b) => compareStrings(a.instance, b.instance));
  for (const server of servers) {
    // The instance address minus its owner: ZONE_INDEX (zone names have no '_').
    const id = `${checked('name', server.zone)}_${checked('address', server.instance).split('/').pop()}`;
    lines.push(`  server ${id} ${checked('ipv4', server.ip)}:${checkedPort(server.port)} check`);
  }
  return lines;
}

/** The configuration of one zone's edge. */
export function renderEdgeConfig(estate: CompiledEstate, zone: string): string {
  checked('name', zone);
  const frontends = [...estate.frontends].sort((a, b) => compareStrings(a.host, b.host));
  const names = backendNames(frontends);
  const lines = [
    `# archipel: edge of zone ${zone} of estate ${checked('name', estate.estate)}. Generated, do not edit.`,
    '# Each backend lists the instances of every zone: an edge survives the loss of the other zone.',
    'global',
    `  maxconn ${edgeMaxConnections(estate)}`,
    // notice: server state changes and errors, not one line per request (info) which would cap throughput.
    '  log stderr format iso local0 notice',
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    '  option dontlognull',
    '  option forwardfor',
    '  option redispatch',
    '  retries 2',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-request 10s',
    '  timeout http-keep-alive 5s',
    '  timeout queue 5s',
    '  timeout check 1s',
    '',
    'frontend edge',
    `  bind :${HTTP_PORT}`,
    '  http-request set-var(txn.host) req.hdr(host),lower,field(1,:)',
  ];
  for (const f of frontends) lines.push(`  acl host_${proxyName(names.get(f.address)!)} var(txn.host) -m str ${checked('host', f.host)}`);
  for (const f of frontends) lines.push(`  use_backend ${names.get(f.address)} if host_${proxyName(names.get(f.address)!)}`);
  lines.push('  default_backend unknown_host', '');
  lines.push('backend unknown_host', '  http-request return status 404 content-type text/plain string "archipel: unknown host"', '');
  for (const f of frontends) lines.push(...backend(f, names.get(f.address)!), '');
  lines.push(
    'frontend stats',
    `  bind :${STATS_PORT}`,
    '  http-request set-log-level silent',
    '  http-request use-service prometheus-exporter if { path /metrics }',
    '  stats enable',
    '  stats uri /stats',
    '  stats refresh 5s',
    '',
  );
  return lines.join('\n');
}

/** One edge configuration per zone, `haproxy/ZONE.cfg`. */
export function renderHaproxy(estate: CompiledEstate): Artefact[] {
  return estate.zones.map((z) => ({ path: `haproxy/${checked('name', z.name)}.cfg`, content: renderEdgeConfig(estate, z.name) }));
}
