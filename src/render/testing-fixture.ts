/**
 * Hand-written compiled estates for the renderers' tests, following src/compile/types.ts exactly, so the
 * renderers can be tested independently of the compiler: `smallEstate()` (the minimal example plus a cache,
 * a bucket with a delete-by limit, an observed single-zone application with source limits) and
 * `regionEstate()` (the size of the region's estate: 150 applications, two zones, about 600 flows).
 */
import type { CompiledEstate, CompiledFlow, FlowKind, Instance, OwnerKind, PrivateNetwork } from '../compile/types.ts';

const ZONES = ['par-1', 'par-2'];

function toInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Network number `i` of the pool: a /26 whose first /27 is in par-1 and second in par-2. */
function network(i: number, owner: string, ownerKind: OwnerKind, zones: string[], observe = false): PrivateNetwork {
  const base = toInt('198.18.0.0') + i * 64;
  return {
    address: `net/${owner}`,
    owner,
    ownerKind,
    cidr: `${toIp(base)}/26`,
    zones: zones.map((zone) => {
      const start = base + ZONES.indexOf(zone) * 32;
      return { zone, cidr: `${toIp(start)}/27`, gateway: toIp(start + 1) };
    }),
    observe,
  };
}

function instancesOf(net: PrivateNetwork, perZone: number, port: number, health: Instance['health']): Instance[] {
  const out: Instance[] = [];
  for (const part of net.zones) {
    for (let index = 0; index < perZone; index++) {
      out.push({
        address: `${net.owner}/${part.zone}/${index}`,
        owner: net.owner,
        ownerKind: net.ownerKind,
        zone: part.zone,
        index,
        network: net.address,
        ip: toIp(toInt(part.gateway) + 1 + index),
        ports: [{ port, protocol: 'tcp', name: 'main' }],
        ...(health ? { health } : {}),
      });
    }
  }
  return out;
}

function flow(from: string, to: string, port: number, kind: FlowKind, reason: string, protocol: 'tcp' | 'udp' = 'tcp'): CompiledFlow {
  return { address: `flow/${from}->${to}:${port}${protocol === 'udp' ? '/udp' : ''}`, from, to, port, protocol, kind, reason };
}

const byAddress = <T extends { address: string }>(items: T[]): T[] =>
  [...items].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));

const INFRA = [
  { address: 'edge/par-1', zone: 'par-1', cidr: '198.19.255.0/28' },
  { address: 'edge/par-2', zone: 'par-2', cidr: '198.19.255.16/28' },
  { address: 'vault', cidr: '198.19.255.48/28' },
  { address: 'witness/par-3', cidr: '198.19.255.32/28' },
];

const BACKUPS: CompiledEstate['backups']['levels'] = [
  { level: 'zone', everySeconds: 900, keep: { hourly: 24 }, immutable: false, keepsForSeconds: 86_400 },
  { level: 'cross-zone', everySeconds: 3600, keep: { daily: 7 }, immutable: false, keepsForSeconds: 604_800 },
  { level: 'vault', everySeconds: 86_400, keep: { monthly: 12 }, immutable: true, keepsForSeconds: 31_536_000 },
];

const HTTP_HEALTH = { http: '/healthz', intervalMs: 500 };

/** The minimal example's shape, plus a cache, a bucket with a delete-by limit and an observed application. */
export function smallEstate(): CompiledEstate {
  const nets = {
    api: network(0, 'app/api', 'app', ZONES),
    video: network(1, 'app/video', 'app', ['par-2'], true),
    web: network(2, 'app/web', 'app', ZONES),
    worker: network(3, 'app/worker', 'app', ZONES),
    cameras: network(4, 'bucket/cameras', 'bucket', ZONES),
    sessions: network(5, 'cache/sessions', 'cache', ZONES),
    main: network(6, 'db/main', 'db', ZONES),
  };
  const instances = byAddress([
    ...instancesOf(nets.api, 1, 8080, HTTP_HEALTH),
    ...instancesOf(nets.video, 2, 8080, HTTP_HEALTH),
    ...instancesOf(nets.web, 1, 8080, HTTP_HEALTH),
    ...instancesOf(nets.worker, 1, 9090, { tcp: true, intervalMs: 500 }),
    ...instancesOf(nets.cameras, 1, 9000, undefined),
    ...instancesOf(nets.sessions, 1, 6379, undefined),
    ...instancesOf(nets.main, 1, 5432, undefined),
  ]);
  const flows = byAddress([
    flow('app/web', 'app/api', 8080, 'declared', 'applications.web.flows[0]'),
    flow('app/api', 'db/main', 5432, 'declared', 'applications.api.flows[0]'),
    flow('app/api', 'db/main', 5432, 'data', 'applications.api.data.database'),
    flow('app/worker', 'app/api', 8080, 'declared', 'applications.worker.flows[0]'),
    flow('app/worker', 'db/main', 5432, 'declared', 'applications.worker.flows[1]'),
    flow('app/web', 'cache/sessions', 6379, 'data', 'applications.web.data.cache'),
    flow('app/video', 'bucket/cameras', 9000, 'data', 'applications.video.data.bucket'),
    flow('app/video', 'app/api', 8080, 'declared', 'applications.video.flows[0]'),
    flow('app/web', 'app/video', 5353, 'declared', 'applications.web.flows[1]', 'udp'),
    flow('db/main', 'db/main', 5432, 'replication', 'databases.main: streaming replication'),
    flow('cache/sessions', 'cache/sessions', 6379, 'replication', 'caches.sessions: replication'),
    flow('db/main', 'db/main', 2379, 'quorum', 'databases.main: etcd'),
    flow('witness/par-3', 'db/main', 2379, 'quorum', 'databases.main: etcd on the witness'),
    flow('db/main', 'witness/par-3', 2379, 'quorum', 'databases.main: etcd on the witness'),
    flow('edge/par-1', 'app/web', 8080, 'edge', 'frontend/web.minimal.example'),
    flow('edge/par-2', 'app/web', 8080, 'edge', 'frontend/web.minimal.example'),
    flow('edge/par-1', 'app/video', 8080, 'edge', 'frontend/video.minimal.example'),
    flow('edge/par-2', 'app/video', 8080, 'edge', 'frontend/video.minimal.example'),
    flow('vault', 'db/main', 5432, 'backup', 'backups[2]: vault pulls WAL'),
  ]);
  const frontendBackends = (owner: string) =>
    instances.filter((i) => i.owner === owner).map((i) => ({ instance: i.address, zone: i.zone, ip: i.ip, port: 8080 }));
  const member = (owner: string) =>
    instances
      .filter((i) => i.owner === owner)
      .map((i) => ({ instance: i.address, zone: i.zone, ip: i.ip, role: i.zone === 'par-1' ? ('primary' as const) : ('replica' as const) }));
  return {
    format: 1,
    estate: 'small',
    pool: '198.18.0.0/15',
    zones: [
      { name: 'par-1', index: 0, address: 'zone/par-1' },
      { name: 'par-2', index: 1, address: 'zone/par-2' },
    ],
    witness: { name: 'par-3', address: 'witness/par-3' },
    infrastructure: INFRA,
    networks: byAddress(Object.values(nets)),
    instances,
    flows,
    firewalls: {
      privateNetworksPerFirewall: 20,
      unitCost: 7500,
      zones: ZONES.map((zone) => ({
        zone,
        appliances: [
          {
            address: `firewall/${zone}/0`,
            zone,
            index: 0,
            networks: Object.values(nets).filter((n) => n.zones.some((z) => z.zone === zone)).map((n) => n.address).sort(),
            units: 2,
          },
        ],
      })),
      units: 4,
      totalCost: 30_000,
    },
    frontends: [
      {
        address: 'frontend/video.minimal.example',
        host: 'video.minimal.example',
        app: 'app/video',
        port: 8080,
        backends: frontendBackends('app/video'),
        health: HTTP_HEALTH,
        policy: { public: false, groups: ['operators'], users: [], device: 'managed', mfa: true, sources: ['203.0.113.0/24', '198.51.100.0/24'] },
      },
      {
        address: 'frontend/web.minimal.example',
        host: 'web.minimal.example',
        app: 'app/web',
        port: 8080,
        backends: frontendBackends('app/web'),
        health: HTTP_HEALTH,
        policy: { public: true, groups: [], users: [], device: 'any', mfa: false, sources: [], rateLimit: { requests: 100, perSeconds: 10 } },
      },
    ],
    data: {
      databases: [
        {
          address: 'db/main',
          engine: 'postgres',
          synchronous: true,
          primaryZone: 'par-1',
          members: member('db/main'),
          voters: [{ location: 'par-1', zone: 'par-1' }, { location: 'par-2', zone: 'par-2' }, { location: 'par-3' }],
          clients: [{ app: 'app/api', database: 'api' }, { app: 'app/worker' }],
          port: 5432,
        },
      ],
      caches: [
        {
          address: 'cache/sessions',
          engine: 'redis',
          synchronous: false,
          primaryZone: 'par-1',
          members: member('cache/sessions'),
          voters: [{ location: 'par-1', zone: 'par-1' }, { location: 'par-2', zone: 'par-2' }, { location: 'par-3' }],
          clients: [{ app: 'app/web' }],
          port: 6379,
        },
      ],
    },
    buckets: [
      { address: 'bucket/cameras', name: 'cameras', class: 'footage', deleteAfterSeconds: 30 * 86_400, versioning: false, clients: ['app/video'] },
    ],
    backups: {
      levels: BACKUPS,
      items: [
        { address: 'backup/db/main@vault', source: 'db/main', level: 'vault', class: 'operational', method: 'postgres-wal', included: true, reason: 'backups[2]' },
      ],
    },
    access: { groups: [{ name: 'operators', users: ['alice'] }], users: [{ name: 'alice', mfa: true }] },
    objectives: [
      { app: 'app/api', tier: 'important', rtoSeconds: 3600, rpoSeconds: 900 },
      { app: 'app/video', tier: 'standard', rtoSeconds: 86_400, rpoSeconds: 86_400 },
      { app: 'app/web', tier: 'important', rtoSeconds: 3600, rpoSeconds: 900 },
      { app: 'app/worker', tier: 'standard', rtoSeconds: 86_400, rpoSeconds: 86_400 },
    ],
  };
}

/**
 * An estate the size of the region's: `apps` applications (default 150) with 2 instances per zone, 4 outgoing
 * flows each, 3 databases and 2 caches shared among them, a frontend for every third application, 4 buckets.
 */
export function regionEstate(apps = 150): CompiledEstate {
  const name = (i: number) => `app-${String(i).padStart(3, '0')}`;
  const networks: PrivateNetwork[] = [];
  const instances: Instance[] = [];
  const flows: CompiledFlow[] = [];
  for (let i = 0; i < apps; i++) {
    const net = network(i, `app/${name(i)}`, 'app', i % 10 === 9 ? ['par-1'] : ZONES, i % 25 === 0);
    networks.push(net);
    instances.push(...instancesOf(net, 2, 8080, HTTP_HEALTH));
    for (let k = 1; k <= 3; k++) flows.push(flow(net.owner, `app/${name((i + k * 7) % apps)}`, 8080, 'declared', `applications.${name(i)}.flows[${k - 1}]`));
  }
  const services: { owner: string; kind: OwnerKind; port: number }[] = [
    { owner: 'db/db-0', kind: 'db', port: 5432 },
    { owner: 'db/db-1', kind: 'db', port: 5432 },
    { owner: 'db/db-2', kind: 'db', port: 5432 },
    { owner: 'cache/cache-0', kind: 'cache', port: 6379 },
    { owner: 'cache/cache-1', kind: 'cache', port: 6379 },
    { owner: 'bucket/bucket-0', kind: 'bucket', port: 9000 },
  ];
  services.forEach((s, j) => {
    const net = network(apps + j, s.owner, s.kind, ZONES);
    networks.push(net);
    instances.push(...instancesOf(net, 1, s.port, undefined));
    if (s.kind !== 'bucket') flows.push(flow(s.owner, s.owner, s.port, 'replication', `${s.owner}: replication`));
    if (s.kind === 'db') {
      flows.push(flow('witness/par-3', s.owner, 2379, 'quorum', `${s.owner}: etcd`), flow('vault', s.owner, 5432, 'backup', `${s.owner}: WAL`));
    }
  });
  for (let i = 0; i < apps; i++) {
    const s = services[i % services.length]!;
    flows.push(flow(`app/${name(i)}`, s.owner, s.port, 'data', `applications.${name(i)}.data`));
  }
  const frontends: CompiledEstate['frontends'] = [];
  for (let i = 0; i < apps; i += 3) {
    const owner = `app/${name(i)}`;
    for (const zone of ZONES) flows.push(flow(`edge/${zone}`, owner, 8080, 'edge', `frontend/${name(i)}.region.example`));
    frontends.push({
      address: `frontend/${name(i)}.region.example`,
      host: `${name(i)}.region.example`,
      app: owner,
      port: 8080,
      backends: instances.filter((x) => x.owner === owner).map((x) => ({ instance: x.address, zone: x.zone, ip: x.ip, port: 8080 })),
      health: HTTP_HEALTH,
      policy: { public: i % 2 === 0, groups: i % 2 === 0 ? [] : ['agents'], users: [], device: 'any', mfa: false, sources: [], rateLimit: { requests: 50, perSeconds: 1 } },
    });
  }
  const small = smallEstate();
  return {
    ...small,
    estate: 'region',
    networks: byAddress(networks),
    instances: byAddress(instances),
    flows: byAddress(flows),
    frontends: byAddress(frontends),
    data: { databases: [], caches: [] },
    buckets: [
      { address: 'bucket/bucket-0', name: 'bucket-0', class: 'personal', deleteAfterSeconds: 2 * 365 * 86_400, versioning: true, clients: [] },
    ],
    objectives: [],
  };
}
