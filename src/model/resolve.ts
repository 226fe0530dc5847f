/**
 * Spec -> model: applies every default (tier standard, compute instance, 1 instance per zone, all zones,
 * port 8080, the tier's objectives, health interval), converts durations to seconds, resolves references to
 * canonical addresses, merges buckets declared under `buckets:` and under an application's data, and sorts
 * everything by address so that the spec's key order never reaches the output.
 *
 * Pure, and total over a validated spec: it never throws on user input (the checks live in spec/validate.ts
 * and compile/), it only assumes the structure the schema guarantees.
 */
import {
  DEFAULT_NETWORK_PREFIX,
  DEFAULT_NETWORKS_PER_FIREWALL,
  DEFAULT_OBJECTIVES,
  DEFAULT_POOL,
  DEFAULT_PORT,
  type BucketSpecT,
  type DataClassName,
  type EstateSpec,
  type TierName,
} from '../spec/schema.ts';
import { parseDuration } from '../spec/durations.ts';
import { compareAddresses, sortByAddress, targetAddress } from './address.ts';
import {
  DEFAULT_HEALTH_INTERVAL_SECONDS,
  SERVICE_PORTS,
  type AccessModel,
  type AppModel,
  type BucketModel,
  type DataServiceModel,
  type ExposeModel,
  type FlowModel,
  type Model,
} from './model.ts';

/** Resolve a validated estate spec into the model the compiler reads. */
export function resolveEstate(spec: EstateSpec): Model {
  const zones = [...spec.zones];
  const estateObjectives = spec.objectives ?? {};
  const observe = spec.observe ?? false;
  const appNames = Object.keys(spec.applications).sort(compareAddresses);
  const appPorts = new Map(appNames.map((name) => [`app/${name}`, spec.applications[name]!.port ?? DEFAULT_PORT]));

  const applications: AppModel[] = appNames.map((name) => {
    const app = spec.applications[name]!;
    const tier: TierName = app.tier ?? 'standard';
    const tierObjectives = { ...DEFAULT_OBJECTIVES[tier], ...definedOnly(estateObjectives[tier] ?? {}) };
    const objectives = { ...tierObjectives, ...definedOnly(app.objectives ?? {}) };
    const flows: FlowModel[] = (app.flows ?? []).map((flow, index) => {
      const to = targetAddress(flow.to);
      return { to, port: flow.port ?? mainPort(to, appPorts), protocol: flow.protocol ?? 'tcp', index };
    });
    const appZones = app.zones ? zones.filter((z) => app.zones!.includes(z)) : [...zones];
    const resolved: AppModel = {
      address: `app/${name}`,
      name,
      tier,
      compute: app.compute ?? 'instance',
      instances: app.instances ?? 1,
      zones: appZones,
      port: app.port ?? DEFAULT_PORT,
      ports: (app.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'tcp' })),
      flows,
      data: {
        volumes: (app.data?.volumes ?? [])
          .map((v) => ({ name: v.name, path: v.path, class: v.class ?? ('operational' as DataClassName) }))
          .sort((a, b) => compareAddresses(a.name, b.name)),
      },
      objectives: { rtoSeconds: parseDuration(objectives.rto), rpoSeconds: parseDuration(objectives.rpo) },
      observe: observe || (app.observe ?? false),
    };
    if (app.vendor !== undefined) resolved.vendor = app.vendor;
    if (app.description !== undefined) resolved.description = app.description;
    if (app.run) resolved.run = [...app.run];
    if (app.health) {
      resolved.health = {
        ...(app.health.http !== undefined ? { http: app.health.http } : {}),
        ...(app.health.tcp !== undefined ? { tcp: app.health.tcp } : {}),
        intervalSeconds: app.health.interval ? Math.max(1, parseDuration(app.health.interval)) : DEFAULT_HEALTH_INTERVAL_SECONDS,
      };
    }
    if (app.expose) resolved.expose = resolveExpose(app.expose);
    if (app.data?.database) resolved.data.database = { service: `db/${app.data.database.cluster}`, name: app.data.database.name };
    if (app.data?.cache) resolved.data.cache = `cache/${app.data.cache.cluster}`;
    if (app.data?.bucket) resolved.data.bucket = `bucket/${app.data.bucket.name}`;
    return resolved;
  });

  const users = usersByTarget(applications);
  return {
    estate: spec.estate,
    zones,
    ...(spec.witness !== undefined ? { witness: spec.witness } : {}),
    addressPool: spec.addressPool ?? DEFAULT_POOL,
    networkPrefix: spec.networkPrefix ?? DEFAULT_NETWORK_PREFIX,
    firewalls: {
      privateNetworksPerFirewall: spec.firewalls?.privateNetworksPerFirewall ?? DEFAULT_NETWORKS_PER_FIREWALL,
      ...(spec.firewalls?.unitCost !== undefined ? { unitCost: spec.firewalls.unitCost } : {}),
    },
    observe,
    applications,
    databases: resolveServices(spec, users, 'db'),
    caches: resolveServices(spec, users, 'cache'),
    buckets: resolveBuckets(spec, applications, users),
    backups: (spec.backups ?? []).map((b, index) => ({
      level: b.level,
      everySeconds: parseDuration(b.every),
      keep: sortedRecord(definedOnly(b.keep) as Record<string, number>),
      immutable: b.immutable ?? false,
      index,
    })),
    access: resolveAccess(spec, applications),
  };
}

/** The main port of a flow target: the application's port, or the data service's well-known port. */
function mainPort(to: string, appPorts: Map<string, number>): number {
  const kind = to.slice(0, to.indexOf('/')) as 'app' | keyof typeof SERVICE_PORTS;
  if (kind === 'app') return appPorts.get(to) ?? DEFAULT_PORT;
  return SERVICE_PORTS[kind];
}

function resolveExpose(expose: NonNullable<EstateSpec['applications'][string]['expose']>): ExposeModel {
  const groups = expose.allow.filter((a) => a.startsWith('group:')).map((a) => a.slice(6));
  const users = expose.allow.filter((a) => a.startsWith('user:')).map((a) => a.slice(5));
  const model: ExposeModel = {
    host: expose.host,
    public: expose.allow.includes('public'),
    groups: unique(groups),
    users: unique(users),
    device: expose.device ?? 'any',
    mfa: expose.mfa ?? false,
    sources: unique(expose.sources ?? []),
  };
  if (expose.rateLimit) model.rateLimit = { requests: expose.rateLimit.requests, perSeconds: parseDuration(expose.rateLimit.per) };
  return model;
}

function resolveServices(spec: EstateSpec, users: Map<string, AppModel[]>, kind: 'db' | 'cache'): DataServiceModel[] {
  const declared = kind === 'db' ? (spec.databases ?? {}) : (spec.caches ?? {});
  return Object.keys(declared)
    .sort(compareAddresses)
    .map((name) => {
      const address = `${kind}/${name}`;
      const clients = new Map<string, { app: string; database?: string }>();
      for (const app of users.get(address) ?? []) {
        const client: { app: string; database?: string } = { app: app.address };
        if (kind === 'db' && app.data.database?.service === address) client.database = app.data.database.name;
        clients.set(app.address, client);
      }
      const service: DataServiceModel = {
        address,
        name,
        kind,
        engine: kind === 'db' ? 'postgres' : 'redis',
        synchronous: kind === 'db' ? ((spec.databases?.[name]?.synchronous) ?? false) : false,
        clients: sortByAddress([...clients.values()], (c) => c.app),
      };
      const version = kind === 'db' ? spec.databases?.[name]?.version : undefined;
      if (version !== undefined) service.version = version;
      return service;
    });
}

/**
 * Buckets declared under `buckets:` and under applications.X.data.bucket, merged by name: a setting under
 * `buckets:` wins, then applications in address order fill what is still unset.
 */
function resolveBuckets(spec: EstateSpec, applications: AppModel[], users: Map<string, AppModel[]>): BucketModel[] {
  const merged = new Map<string, { settings: BucketSpecT; path: (string | number)[] }>();
  for (const name of Object.keys(spec.buckets ?? {}).sort(compareAddresses)) {
    merged.set(name, { settings: { ...definedOnly(spec.buckets![name]!) }, path: ['buckets', name] });
  }
  for (const app of applications) {
    const declared = spec.applications[app.name]!.data?.bucket;
    if (!declared) continue;
    const { name, ...settings } = declared;
    const entry = merged.get(name);
    if (!entry) merged.set(name, { settings: { ...definedOnly(settings) }, path: ['applications', app.name, 'data', 'bucket'] });
    else entry.settings = { ...definedOnly(settings), ...entry.settings };
  }
  return [...merged.keys()].sort(compareAddresses).map((name) => {
    const { settings, path } = merged.get(name)!;
    const address = `bucket/${name}`;
    const clients = (users.get(address) ?? []).map((a) => a.address);
    const bucket: BucketModel = {
      address,
      name,
      class: settings.class ?? 'operational',
      versioning: settings.versioning ?? false,
      clients,
      path,
    };
    if (settings.expireAfter !== undefined) bucket.expireAfterSeconds = parseDuration(settings.expireAfter);
    if (settings.retainFor !== undefined) bucket.retainForSeconds = parseDuration(settings.retainFor);
    return bucket;
  });
}

function resolveAccess(spec: EstateSpec, applications: AppModel[]): AccessModel {
  const groupsSpec = spec.access?.groups ?? {};
  const usersSpec = spec.access?.users ?? {};
  const groups = Object.keys(groupsSpec)
    .sort(compareAddresses)
    .map((name) => ({ name, users: unique(groupsSpec[name]!) }));
  const names = new Set<string>(Object.keys(usersSpec));
  for (const g of groups) for (const u of g.users) names.add(u);
  for (const app of applications) for (const u of app.expose?.users ?? []) names.add(u);
  const users = [...names].sort(compareAddresses).map((name) => {
    const declared = usersSpec[name];
    return {
      name,
      ...(declared?.name !== undefined ? { displayName: declared.name } : {}),
      mfa: declared?.mfa ?? false,
    };
  });
  return { groups, users, ...(spec.access?.issuer !== undefined ? { issuer: spec.access.issuer } : {}) };
}

/**
 * Applications using each data service or bucket (through data: or a declared flow), in address order:
 * one pass over the applications instead of one per service.
 */
function usersByTarget(applications: AppModel[]): Map<string, AppModel[]> {
  const users = new Map<string, AppModel[]>();
  for (const app of applications) {
    const targets = new Set<string>(app.flows.map((f) => f.to));
    if (app.data.database) targets.add(app.data.database.service);
    if (app.data.cache) targets.add(app.data.cache);
    if (app.data.bucket) targets.add(app.data.bucket);
    for (const t of targets) {
      if (t.startsWith('app/')) continue;
      const list = users.get(t) ?? [];
      list.push(app);
      users.set(t, list);
    }
  }
  return users;
}

/** Sorted, without duplicates. */
function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareAddresses);
}

/** The object without its undefined properties, so that spreading it never overwrites a default. */
function definedOnly<T extends object>(value: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareAddresses(a, b)));
}
