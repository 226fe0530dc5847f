/**
 * Meaning checks over a structurally valid estate: everything the schema cannot see because it needs
 * the whole file (references between objects, ports, address capacity, objectives the topology cannot
 * meet, retention rules that contradict each other, names that are legal but unsafe).
 *
 * Every problem is collected, none thrown: each diagnostic has a stable code (docs/diagnostics.md), the
 * canonical address of the object concerned, the document `path` (the pipeline turns it into
 * file:line:col) and a hint. Pure: no I/O.
 */
import type { Diagnostic } from './diagnostics.ts';
import { parseDuration, formatDuration } from './durations.ts';
import { dashCollisions, nameProblem, RESERVED_NAMES } from './names.ts';
import {
  DEFAULT_NETWORK_PREFIX,
  DEFAULT_OBJECTIVES,
  DEFAULT_POOL,
  DEFAULT_PORT,
  type ApplicationSpec,
  type BackupLevelSpec,
  type BucketSpecT,
  type EstateSpec,
} from './schema.ts';
import { suggest } from './suggest.ts';

type Path = (string | number)[];

/** Ports the data services listen on (the compiler uses the same). */
export const SERVICE_PORTS = { db: 5432, cache: 6379, bucket: 9000 } as const;
/** Address blocks reserved for the platform (backbone, edges, witness, vault) before any private network. */
export const RESERVED_INFRA_BLOCKS = 8;

/** A bucket as declared, under `buckets:` or an application's `data.bucket`. */
export interface DeclaredBucket {
  name: string;
  spec: BucketSpecT;
  path: Path;
  /** The application declaring it, when declared in `data.bucket`. */
  app?: string;
}

/** Every bucket declaration in document order (`buckets:` first), duplicates included. */
export function declaredBuckets(spec: EstateSpec): DeclaredBucket[] {
  const out: DeclaredBucket[] = [];
  for (const [name, b] of Object.entries(spec.buckets ?? {})) out.push({ name, spec: b, path: ['buckets', name] });
  for (const [app, a] of Object.entries(spec.applications)) {
    const b = a.data?.bucket;
    if (b) out.push({ name: b.name, spec: b, path: ['applications', app, 'data', 'bucket', 'name'], app });
  }
  return out;
}

/** A bucket's delete-by limit in seconds: the smaller of expireAfter and retainFor, if any. */
export function deleteByLimit(bucket: BucketSpecT): number | undefined {
  const limits = [bucket.expireAfter, bucket.retainFor].filter((d): d is string => d !== undefined).map(parseDuration);
  return limits.length ? Math.min(...limits) : undefined;
}

/**
 * How long a backup level keeps data, in seconds: the longest retention its keep rules imply (hourly N ->
 * N h, daily N -> N d, weekly N -> N w, monthly N -> N x 30 d, yearly N -> N x 365 d, last N -> N x every).
 */
export function keepsForSeconds(level: BackupLevelSpec): number {
  const k = level.keep;
  return Math.max(
    0,
    (k.last ?? 0) * parseDuration(level.every),
    (k.hourly ?? 0) * 3600,
    (k.daily ?? 0) * 86400,
    (k.weekly ?? 0) * 604800,
    (k.monthly ?? 0) * 30 * 86400,
    (k.yearly ?? 0) * 365 * 86400,
  );
}

/** Instances one zone's share of a /prefix private network holds (network, gateway and broadcast excluded). */
export function instancesPerZoneCapacity(networkPrefix: number, zoneCount: number): number {
  const parts = zoneCount <= 2 ? 2 : 4;
  return Math.max(0, 2 ** (32 - networkPrefix) / parts - 3);
}

/** Meaning checks over a structurally valid estate; diagnostics carry `path`, never positions. */
export function validateEstate(spec: EstateSpec): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (d: Omit<Diagnostic, 'severity'> & { severity?: Diagnostic['severity'] }): void => {
    out.push({ severity: 'error', ...d });
  };
  checkNames(spec, add);
  checkZones(spec, add);
  const buckets = checkBuckets(spec, add);
  checkApplications(spec, buckets, add);
  checkDataServices(spec, add);
  checkPool(spec, buckets.size, add);
  checkBackups(spec, buckets, add);
  return out;
}

type Add = (d: Omit<Diagnostic, 'severity'> & { severity?: Diagnostic['severity'] }) => void;

// ---- names -------------------------------------------------------------------------------------------------

function checkNames(spec: EstateSpec, add: Add): void {
  const groups: { label: string; prefix?: string; names: { name: string; path: Path }[] }[] = [
    { label: 'estate', names: [{ name: spec.estate, path: ['estate'] }] },
    {
      label: 'zone',
      prefix: 'zone',
      names: [
        ...spec.zones.map((name, i) => ({ name, path: ['zones', i] as Path })),
        ...(spec.witness ? [{ name: spec.witness, path: ['witness'] as Path }] : []),
      ],
    },
    { label: 'application', prefix: 'app', names: Object.keys(spec.applications).map((name) => ({ name, path: ['applications', name] })) },
    { label: 'database', prefix: 'db', names: Object.keys(spec.databases ?? {}).map((name) => ({ name, path: ['databases', name] })) },
    { label: 'cache', prefix: 'cache', names: Object.keys(spec.caches ?? {}).map((name) => ({ name, path: ['caches', name] })) },
    { label: 'bucket', prefix: 'bucket', names: declaredBuckets(spec).map((b) => ({ name: b.name, path: b.path })) },
    { label: 'group', names: Object.keys(spec.access?.groups ?? {}).map((name) => ({ name, path: ['access', 'groups', name] })) },
  ];
  const others: { name: string; path: Path; address?: string }[] = [];
  for (const [app, a] of Object.entries(spec.applications)) {
    (a.ports ?? []).forEach((p, i) => others.push({ name: p.name, path: ['applications', app, 'ports', i, 'name'], address: `app/${app}` }));
    (a.data?.volumes ?? []).forEach((v, i) => others.push({ name: v.name, path: ['applications', app, 'data', 'volumes', i, 'name'], address: `app/${app}` }));
    if (a.data?.database) others.push({ name: a.data.database.name, path: ['applications', app, 'data', 'database', 'name'], address: `app/${app}` });
  }
  const unsafe = (name: string, path: Path, address?: string): void => {
    const problem = nameProblem(name);
    if (!problem) return;
    const reserved = RESERVED_NAMES.has(name);
    add({
      code: reserved ? 'E_RESERVED_NAME' : 'E_UNSAFE_NAME',
      message: `"${name}" cannot be used as a name: ${problem}`,
      path,
      ...(address ? { address } : {}),
      hint: reserved ? 'reserved words mean something to ip, nft, HAProxy or JavaScript: pick another name' : `for example "${name.replace(/-+/g, '-').replace(/-$/, '')}"`,
    });
  };
  for (const group of groups) {
    for (const { name, path } of group.names) unsafe(name, path, group.prefix ? `${group.prefix}/${name}` : undefined);
    for (const collision of dashCollisions(group.names.map((n) => n.name))) {
      for (const name of collision.slice(1)) {
        const at = group.names.find((n) => n.name === name)!;
        add({
          code: 'E_NAME_COLLISION',
          message: `${group.label} names ${collision.map((n) => `"${n}"`).join(' and ')} differ only by "-" placement: they collide once a target shortens names`,
          path: at.path,
          ...(group.prefix ? { address: `${group.prefix}/${name}` } : {}),
          hint: `rename "${name}" so that it differs by more than its dashes`,
        });
      }
    }
  }
  for (const o of others) unsafe(o.name, o.path, o.address);
}

// ---- zones -------------------------------------------------------------------------------------------------

function checkZones(spec: EstateSpec, add: Add): void {
  const seen = new Set<string>();
  spec.zones.forEach((zone, i) => {
    if (seen.has(zone)) add({ code: 'E_DUPLICATE_ZONE', message: `zone "${zone}" is listed twice`, path: ['zones', i], address: `zone/${zone}`, hint: 'list each zone once' });
    seen.add(zone);
  });
  if (spec.witness && seen.has(spec.witness)) {
    add({
      code: 'E_WITNESS_IS_ZONE',
      message: `the witness "${spec.witness}" is also a zone: a witness must be a third location to break ties between the zones`,
      path: ['witness'],
      address: `witness/${spec.witness}`,
      hint: 'name a location that is not in zones, such as par-3',
    });
  }
}

// ---- buckets -----------------------------------------------------------------------------------------------

function checkBuckets(spec: EstateSpec, add: Add): Map<string, DeclaredBucket> {
  const buckets = new Map<string, DeclaredBucket>();
  for (const b of declaredBuckets(spec)) {
    const first = buckets.get(b.name);
    if (first) {
      add({
        code: 'E_DUPLICATE_BUCKET',
        message: `bucket "${b.name}" is declared twice (${where(first)} and ${where(b)})`,
        path: b.path,
        address: `bucket/${b.name}`,
        hint: `declare it once; other applications reach it with a flow { to: bucket/${b.name} }`,
      });
      continue;
    }
    buckets.set(b.name, b);
    const base = b.app ? b.path.slice(0, -1) : b.path;
    const { expireAfter, retainFor } = b.spec;
    if (expireAfter && retainFor && parseDuration(expireAfter) > parseDuration(retainFor)) {
      add({
        code: 'E_RETENTION_CONTRADICTION',
        message: `bucket "${b.name}" expires objects after ${expireAfter} but may retain them only ${retainFor}: the two delete-by limits contradict each other`,
        path: [...base, 'expireAfter'],
        address: `bucket/${b.name}`,
        hint: `both are maxima: keep one, or make expireAfter at most ${retainFor}`,
      });
    }
    if (b.spec.class === 'personal' && deleteByLimit(b.spec) === undefined) {
      add({
        severity: 'warning',
        code: 'W_PERSONAL_NO_LIMIT',
        message: `bucket "${b.name}" holds personal data with no delete-by limit: it would be kept forever`,
        path: [...base, 'class'],
        address: `bucket/${b.name}`,
        hint: 'set retainFor (for example 2y) or expireAfter, as GDPR storage limitation requires',
      });
    }
  }
  return buckets;
}

function where(b: DeclaredBucket): string {
  return b.app ? `applications.${b.app}.data.bucket` : `buckets.${b.name}`;
}

// ---- applications and flows --------------------------------------------------------------------------------

interface Listener {
  port: number;
  protocol: 'tcp' | 'udp';
}

function listenersOf(app: ApplicationSpec): Listener[] {
  return [{ port: app.port ?? DEFAULT_PORT, protocol: 'tcp' }, ...(app.ports ?? []).map((p) => ({ port: p.port, protocol: p.protocol ?? 'tcp' }))];
}

function checkApplications(spec: EstateSpec, buckets: Map<string, DeclaredBucket>, add: Add): void {
  const apps = spec.applications;
  const appNames = Object.keys(apps);
  const dbNames = Object.keys(spec.databases ?? {});
  const cacheNames = Object.keys(spec.caches ?? {});
  const targets = [...appNames, ...dbNames.map((n) => `db/${n}`), ...cacheNames.map((n) => `cache/${n}`), ...[...buckets.keys()].map((n) => `bucket/${n}`)];
  const groups = new Set(Object.keys(spec.access?.groups ?? {}));
  const users = new Set([...Object.keys(spec.access?.users ?? {}), ...Object.values(spec.access?.groups ?? {}).flat()]);
  const prefix = spec.networkPrefix ?? DEFAULT_NETWORK_PREFIX;
  const capacity = instancesPerZoneCapacity(prefix, spec.zones.length);
  const flowTargets = new Set<string>();
  for (const a of Object.values(apps)) for (const f of a.flows ?? []) flowTargets.add(f.to);

  for (const [name, app] of Object.entries(apps)) {
    const at = (...rest: Path): Path => ['applications', name, ...rest];
    const address = `app/${name}`;
    const tier = app.tier ?? 'standard';

    // Zones and the objectives they can meet.
    const zoneSeen = new Set<string>();
    (app.zones ?? []).forEach((zone, i) => {
      if (!spec.zones.includes(zone)) {
        add({ code: 'E_UNKNOWN_ZONE', message: `application "${name}" runs in zone "${zone}", which the estate does not declare`, path: at('zones', i), address, hint: suggest(zone, spec.zones, 'zones') });
      } else if (zoneSeen.has(zone)) {
        add({ code: 'E_DUPLICATE_ZONE', message: `zone "${zone}" is listed twice for application "${name}"`, path: at('zones', i), address, hint: 'list each zone once' });
      }
      zoneSeen.add(zone);
    });
    const zoneCount = app.zones ? new Set(app.zones.filter((z) => spec.zones.includes(z))).size : spec.zones.length;
    if (tier === 'critical' && app.zones && zoneCount < 2) {
      add({
        code: 'E_OBJECTIVE_ZONES',
        message: `critical application "${name}" runs in one zone only: losing that zone stops it, which its objectives do not allow`,
        path: at('zones'),
        address,
        hint: `run it in at least two zones (remove zones: to use all of ${spec.zones.join(', ')}) or lower its tier`,
      });
    }
    if ((app.instances ?? 1) > capacity) {
      add({
        code: 'E_TOO_MANY_INSTANCES',
        message: `application "${name}" asks for ${app.instances} instances per zone; a /${prefix} network split across ${spec.zones.length} zones holds ${capacity} per zone`,
        path: at('instances'),
        address,
        hint: `lower instances to ${capacity} or use a shorter networkPrefix (for example /${Math.max(20, prefix - 1)})`,
      });
    }

    // Ports.
    const listeners = listenersOf(app);
    const portSeen = new Map<string, number>();
    const portNames = new Set<string>();
    listeners.forEach((l, i) => {
      const key = `${l.port}/${l.protocol}`;
      if (portSeen.has(key)) {
        const path = i === 0 ? at('port') : at('ports', i - 1, 'port');
        add({
          code: 'E_PORT_CONFLICT',
          message: `application "${name}" declares port ${key} twice`,
          path,
          address,
          hint: portSeen.get(key) === 0 ? `${l.port} is already the main port` : 'each port may be declared once',
        });
      } else {
        portSeen.set(key, i);
      }
    });
    (app.ports ?? []).forEach((p, i) => {
      if (portNames.has(p.name)) add({ code: 'E_PORT_CONFLICT', message: `application "${name}" names two ports "${p.name}"`, path: at('ports', i, 'name'), address, hint: 'port names must be unique within an application' });
      portNames.add(p.name);
    });

    // Exposure and access.
    if (app.expose && !app.health) {
      add({
        code: 'E_EXPOSE_NEEDS_HEALTH',
        message: `application "${name}" is exposed but has no health check: the edges could not take a failed instance out of service`,
        path: at('expose'),
        address,
        hint: 'add health: { http: /healthz } or health: { tcp: true }',
      });
    }
    (app.expose?.allow ?? []).forEach((entry, i) => {
      const [kind, who] = entry.split(':') as [string, string | undefined];
      if (kind === 'group' && who !== undefined && !groups.has(who)) {
        add({ code: 'E_UNKNOWN_GROUP', message: `application "${name}" allows group "${who}", which access.groups does not declare`, path: at('expose', 'allow', i), address, hint: suggest(who, [...groups], 'declared groups') });
      } else if (kind === 'user' && who !== undefined && !users.has(who)) {
        add({ code: 'E_UNKNOWN_USER', message: `application "${name}" allows user "${who}", who is neither in access.users nor in a group`, path: at('expose', 'allow', i), address, hint: suggest(who, [...users], 'declared users') });
      }
    });

    // Data references and the objectives they can meet.
    const cluster = app.data?.database?.cluster;
    const db = cluster !== undefined ? spec.databases?.[cluster] : undefined;
    if (cluster !== undefined && !db) {
      add({ code: 'E_UNKNOWN_DATABASE', message: `application "${name}" uses database cluster "${cluster}", which databases: does not declare`, path: at('data', 'database', 'cluster'), address, hint: suggest(cluster, dbNames, 'declared databases') });
    }
    const cacheName = app.data?.cache?.cluster;
    if (cacheName !== undefined && !spec.caches?.[cacheName]) {
      add({ code: 'E_UNKNOWN_CACHE', message: `application "${name}" uses cache "${cacheName}", which caches: does not declare`, path: at('data', 'cache', 'cluster'), address, hint: suggest(cacheName, cacheNames, 'declared caches') });
    }
    const rpo = app.objectives?.rpo ?? spec.objectives?.[tier]?.rpo ?? DEFAULT_OBJECTIVES[tier].rpo;
    if (db && parseDuration(rpo) === 0 && !db.synchronous) {
      add({
        code: 'E_RPO_NEEDS_SYNC',
        message: `application "${name}" may lose no write (rpo 0s${app.objectives?.rpo ? '' : `, from tier ${tier}`}) but database "${cluster}" replicates asynchronously`,
        path: app.objectives?.rpo ? at('objectives', 'rpo') : app.tier ? at('tier') : at(),
        address,
        hint: `set databases.${cluster}.synchronous: true (with a witness) or relax objectives.rpo`,
      });
    }

    // Flows.
    const flowSeen = new Set<string>();
    (app.flows ?? []).forEach((flow, i) => {
      const slash = flow.to.indexOf('/');
      const kind = slash < 0 ? 'app' : (flow.to.slice(0, slash) as 'db' | 'cache' | 'bucket');
      const target = slash < 0 ? flow.to : flow.to.slice(slash + 1);
      const exists =
        kind === 'app' ? Object.hasOwn(apps, target) : kind === 'db' ? Object.hasOwn(spec.databases ?? {}, target) : kind === 'cache' ? Object.hasOwn(spec.caches ?? {}, target) : buckets.has(target);
      const targetAddress = `${kind}/${target}`;
      const protocol = flow.protocol ?? 'tcp';
      if (!exists) {
        add({
          code: 'E_UNKNOWN_FLOW_TARGET',
          message: `application "${name}" has a flow to "${flow.to}", which the estate does not declare`,
          path: at('flows', i, 'to'),
          address: `flow/${address}->${targetAddress}${flow.port ? `:${flow.port}` : ''}`,
          hint: suggest(flow.to, targets, 'valid targets'),
        });
        return;
      }
      const listening: Listener[] = kind === 'app' ? listenersOf(apps[target]!) : [{ port: SERVICE_PORTS[kind], protocol: 'tcp' }];
      const port = flow.port ?? listening[0]!.port;
      const flowAddress = `flow/${address}->${targetAddress}:${port}${protocol === 'udp' ? '/udp' : ''}`;
      if (!listening.some((l) => l.port === port && l.protocol === protocol)) {
        add({
          code: 'E_FLOW_PORT_CLOSED',
          message: `flow from "${name}" to "${flow.to}" uses port ${port}/${protocol}, on which ${targetAddress} does not listen`,
          path: at('flows', i, flow.port ? 'port' : 'protocol'),
          address: flowAddress,
          hint: `${targetAddress} listens on ${listening.map((l) => `${l.port}/${l.protocol}`).join(', ')}`,
        });
      }
      if (kind === 'app' && target === name) {
        add({ severity: 'warning', code: 'W_FLOW_TO_SELF', message: `application "${name}" has a flow to itself: instances of one application share their network and need no flow`, path: at('flows', i, 'to'), address: flowAddress, hint: 'remove the flow' });
      }
      if (kind === 'db' && !app.data?.database) {
        add({
          severity: 'warning',
          code: 'W_DB_FLOW_WITHOUT_DATA',
          message: `application "${name}" flows to ${targetAddress} but declares no data.database: it gets no database or credentials there`,
          path: at('flows', i, 'to'),
          address: flowAddress,
          hint: `add data: { database: { cluster: ${target}, name: ${name} } }, or remove the flow`,
        });
      }
      if (flowSeen.has(flowAddress)) {
        add({ severity: 'warning', code: 'W_DUPLICATE_FLOW', message: `application "${name}" declares the flow to ${targetAddress}:${port} twice`, path: at('flows', i), address: flowAddress, hint: 'remove one of them' });
      }
      flowSeen.add(flowAddress);
    });

    // An application that talks to nothing and that nothing talks to.
    const usesData = app.data?.database || app.data?.cache || app.data?.bucket;
    if (!(app.flows?.length ?? 0) && !app.expose && !usesData && !flowTargets.has(name)) {
      add({
        severity: 'warning',
        code: 'W_ISLAND',
        message: `application "${name}" has no flows, is not exposed and is the target of no flow: nothing can reach it and it reaches nothing`,
        path: at(),
        address,
        hint: 'declare its flows or expose it, or remove it if it is unused',
      });
    }
  }
}

// ---- data services -----------------------------------------------------------------------------------------

function checkDataServices(spec: EstateSpec, add: Add): void {
  for (const [name, db] of Object.entries(spec.databases ?? {})) {
    if (db.synchronous && !spec.witness) {
      add({
        code: 'E_SYNC_NEEDS_WITNESS',
        message: `database "${name}" replicates synchronously but the estate has no witness: two zones alone cannot decide a failover safely`,
        path: ['databases', name, 'synchronous'],
        address: `db/${name}`,
        hint: 'declare witness: par-3 (a third location), or set synchronous: false',
      });
    }
  }
}

// ---- addresses ---------------------------------------------------------------------------------------------

function checkPool(spec: EstateSpec, bucketCount: number, add: Add): void {
  const pool = spec.addressPool ?? DEFAULT_POOL;
  const [base, length] = pool.split('/') as [string, string];
  const poolPrefix = Number(length);
  const prefix = spec.networkPrefix ?? DEFAULT_NETWORK_PREFIX;
  const path: Path = spec.addressPool ? ['addressPool'] : spec.networkPrefix ? ['networkPrefix'] : [];
  const value = base.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const hostBits = 2 ** (32 - poolPrefix);
  if (value % hostBits !== 0) {
    const aligned = value - (value % hostBits);
    const text = [24, 16, 8, 0].map((s) => Math.floor(aligned / 2 ** s) % 256).join('.');
    add({ code: 'E_POOL_NOT_ALIGNED', message: `address pool ${pool} has host bits set`, path, hint: `did you mean ${text}/${poolPrefix}?` });
  }
  const apps = Object.keys(spec.applications).length;
  const dbs = Object.keys(spec.databases ?? {}).length;
  const caches = Object.keys(spec.caches ?? {}).length;
  const needed = apps + dbs + caches + bucketCount + RESERVED_INFRA_BLOCKS;
  const blocks = prefix >= poolPrefix ? 2 ** (prefix - poolPrefix) : 0;
  if (blocks < needed) {
    const fit = 32 - Math.ceil(Math.log2(needed * 2 ** (32 - prefix)));
    add({
      code: 'E_POOL_TOO_SMALL',
      message:
        `address pool ${pool} holds ${blocks} network${blocks === 1 ? '' : 's'} of /${prefix}; the estate needs ${needed} ` +
        `(${apps} application${apps === 1 ? '' : 's'}, ${dbs} database${dbs === 1 ? '' : 's'}, ${caches} cache${caches === 1 ? '' : 's'}, ` +
        `${bucketCount} bucket${bucketCount === 1 ? '' : 's'}, plus ${RESERVED_INFRA_BLOCKS} reserved infrastructure blocks)`,
      path,
      hint: `use a pool of /${fit} or larger (the default ${DEFAULT_POOL} holds ${2 ** (prefix - 15)}), or a longer networkPrefix`,
    });
  }
}

// ---- backups -----------------------------------------------------------------------------------------------

function checkBackups(spec: EstateSpec, buckets: Map<string, DeclaredBucket>, add: Add): void {
  const seen = new Set<string>();
  (spec.backups ?? []).forEach((level, i) => {
    if (seen.has(level.level)) {
      add({ code: 'E_DUPLICATE_BACKUP_LEVEL', message: `backup level "${level.level}" is declared twice`, path: ['backups', i, 'level'], hint: 'one entry per level: merge their keep rules' });
    }
    seen.add(level.level);
    if (!level.immutable) return;
    const keeps = keepsForSeconds(level);
    const excluded = [...buckets.values()]
      .map((b) => ({ b, limit: deleteByLimit(b.spec) }))
      .filter((x): x is { b: DeclaredBucket; limit: number } => x.limit !== undefined && x.limit < keeps)
      .sort((x, y) => x.b.name.localeCompare(y.b.name));
    for (const { b, limit } of excluded) {
      add({
        severity: 'warning',
        code: 'W_BACKUP_EXCLUDES',
        message: `the immutable ${level.level} level keeps backups for ${formatDuration(keeps)}, longer than bucket "${b.name}" may keep data (${formatDuration(limit)}): the bucket is excluded from this level`,
        path: ['backups', i],
        address: `bucket/${b.name}`,
        hint: `expected for short-lived data; to include it, keep this level at most ${formatDuration(limit)}`,
      });
    }
  });
}
