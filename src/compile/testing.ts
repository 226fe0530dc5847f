/**
 * Estates for tests and benchmarks, built as EstateSpec objects (no YAML, no file, no I/O), so that the
 * model and compiler are exercised without the loader. Deterministic: the same arguments give the same estate.
 */
import type { ApplicationSpec, EstateSpec } from '../spec/schema.ts';

/**
 * The estate of examples/minimal.yaml as an object (a fresh copy each call, so tests may change it): a web
 * front, an API and a worker across two zones with a witness, one synchronous database. Kept here rather
 * than read from the file so the compiler's tests stay pure and do not move when the example grows;
 * index.test.ts compiles the file itself.
 */
export function minimalSpec(): EstateSpec {
  return {
    estate: 'minimal',
    zones: ['par-1', 'par-2'],
    witness: 'par-3',
    firewalls: { privateNetworksPerFirewall: 20, unitCost: 7500 },
    applications: {
      web: {
        tier: 'important',
        vendor: 'in-house',
        instances: 1,
        port: 8080,
        health: { http: '/healthz' },
        expose: { host: 'web.minimal.example', allow: ['public'], rateLimit: { requests: 100, per: '10s' } },
        flows: [{ to: 'api' }],
      },
      api: {
        tier: 'important',
        instances: 1,
        port: 8080,
        health: { http: '/healthz' },
        flows: [{ to: 'db/main' }],
        data: { database: { cluster: 'main', name: 'api' } },
      },
      worker: {
        tier: 'standard',
        instances: 1,
        port: 9090,
        health: { tcp: true },
        flows: [{ to: 'api', port: 8080 }, { to: 'db/main' }],
        data: { database: { cluster: 'main', name: 'worker' } },
      },
    },
    databases: { main: { engine: 'postgres', synchronous: true } },
    backups: [
      { level: 'zone', every: '15m', keep: { hourly: 24 } },
      { level: 'cross-zone', every: '1h', keep: { daily: 7 } },
      { level: 'vault', every: '1d', keep: { monthly: 12 }, immutable: true },
    ],
  };
}

/** A small seeded generator (mulberry32): tests need reproducible "random" estates. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A region-like estate: `count` applications in two zones with a witness, each talking to a few others,
 * some to a database, a cache or a bucket, some exposed; one database per 25 apps, two caches, two buckets.
 */
export function syntheticEstate(count: number, seed = 1): EstateSpec {
  const random = seeded(seed);
  const names = Array.from({ length: count }, (_, i) => `app-${String(i).padStart(4, '0')}`);
  const databases = Object.fromEntries(
    Array.from({ length: Math.max(1, Math.ceil(count / 25)) }, (_, i) => [`db-${i}`, { engine: 'postgres' as const, synchronous: i % 2 === 0 }]),
  );
  const dbNames = Object.keys(databases);
  const applications: Record<string, ApplicationSpec> = {};
  names.forEach((name, i) => {
    const flows = Array.from({ length: Math.floor(random() * 3) }, () => ({ to: names[Math.floor(random() * count)]! })).filter((f) => f.to !== name);
    const app: ApplicationSpec = {
      tier: (['critical', 'important', 'standard'] as const)[i % 3],
      instances: 1 + (i % 2),
      port: 8080,
      health: { http: '/healthz' },
      flows,
      data: {
        ...(i % 3 === 0 ? { database: { cluster: dbNames[i % dbNames.length]!, name: name.replace(/-/g, '') } } : {}),
        ...(i % 7 === 0 ? { cache: { cluster: `cache-${i % 2}` } } : {}),
        ...(i % 50 === 0 ? { bucket: { name: `files-${i}`, class: 'personal' as const, retainFor: '2y' } } : {}),
      },
    };
    if (i % 10 === 0) app.expose = { host: `${name}.region.example`, allow: ['group:staff'] };
    applications[name] = app;
  });
  return {
    estate: 'region',
    zones: ['par-1', 'par-2'],
    witness: 'par-3',
    firewalls: { privateNetworksPerFirewall: 20, unitCost: 7500 },
    applications,
    databases,
    caches: { 'cache-0': { engine: 'redis' }, 'cache-1': { engine: 'redis' } },
    buckets: { cameras: { class: 'footage', expireAfter: '30d' }, archives: { retainFor: '10y' } },
    backups: [
      { level: 'zone', every: '15m', keep: { hourly: 24 } },
      { level: 'cross-zone', every: '1h', keep: { daily: 7 } },
      { level: 'vault', every: '1d', keep: { monthly: 12 }, immutable: true },
    ],
    access: { groups: { staff: ['alice', 'bob'] } },
  };
}
