import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EstateSpec } from '../spec/schema.ts';
import { resolveEstate } from './resolve.ts';

const base = (): EstateSpec => ({
  estate: 'region',
  zones: ['par-1', 'par-2'],
  applications: {
    video: { data: { bucket: { name: 'cameras', expireAfter: '30d' } } },
    aides: {
      tier: 'important',
      instances: 2,
      port: 9000,
      objectives: { rpo: '5m' },
      health: { http: '/healthz', interval: '2s' },
      expose: { host: 'aides.region.example', allow: ['group:officers', 'user:carol', 'public'], rateLimit: { requests: 10, per: '1m' } },
      flows: [{ to: 'video' }, { to: 'db/main' }, { to: 'bucket/cameras', port: 9001, protocol: 'udp' }],
      data: {
        database: { cluster: 'main', name: 'aides' },
        cache: { cluster: 'sessions' },
        bucket: { name: 'documents', class: 'personal', retainFor: '2y' },
        volumes: [{ name: 'uploads', path: '/var/lib/aides' }],
      },
    },
  },
  databases: { main: { engine: 'postgres', synchronous: true } },
  caches: { sessions: { engine: 'redis' } },
  buckets: { cameras: { class: 'footage', retainFor: '90d' } },
  objectives: { important: { rto: '30m' } },
  access: { groups: { officers: ['bob', 'alice'] }, users: { alice: { mfa: true } } },
});

test('defaults: tier standard, compute instance, 1 instance, all zones, port 8080, tier objectives', () => {
  const model = resolveEstate(base());
  const video = model.applications.find((a) => a.name === 'video')!;
  assert.equal(video.address, 'app/video');
  assert.equal(video.tier, 'standard');
  assert.equal(video.compute, 'instance');
  assert.equal(video.instances, 1);
  assert.deepEqual(video.zones, ['par-1', 'par-2']);
  assert.equal(video.port, 8080);
  assert.deepEqual(video.objectives, { rtoSeconds: 4 * 3600, rpoSeconds: 86400 });
  assert.equal(video.observe, false);
  assert.equal(model.addressPool, '198.18.0.0/15');
  assert.equal(model.networkPrefix, 26);
  assert.equal(model.firewalls.privateNetworksPerFirewall, 20);
});

test('objectives: estate override of the tier, then the application override', () => {
  const aides = resolveEstate(base()).applications.find((a) => a.name === 'aides')!;
  assert.deepEqual(aides.objectives, { rtoSeconds: 1800, rpoSeconds: 300 });
});

test('flows resolve targets and default ports (application port, db 5432)', () => {
  const aides = resolveEstate(base()).applications.find((a) => a.name === 'aides')!;
  assert.deepEqual(aides.flows, [
    { to: 'app/video', port: 8080, protocol: 'tcp', index: 0 },
    { to: 'db/main', port: 5432, protocol: 'tcp', index: 1 },
    { to: 'bucket/cameras', port: 9001, protocol: 'udp', index: 2 },
  ]);
  assert.deepEqual(aides.health, { http: '/healthz', intervalSeconds: 2 });
  assert.deepEqual(aides.expose, {
    host: 'aides.region.example',
    public: true,
    groups: ['officers'],
    users: ['carol'],
    device: 'any',
    mfa: false,
    sources: [],
    rateLimit: { requests: 10, perSeconds: 60 },
  });
  assert.deepEqual(aides.data.volumes, [{ name: 'uploads', path: '/var/lib/aides', class: 'operational' }]);
});

test('buckets merge top-level and application declarations; the top level wins, apps become clients', () => {
  const model = resolveEstate(base());
  assert.deepEqual(
    model.buckets.map((b) => [b.address, b.class, b.expireAfterSeconds, b.retainForSeconds, b.clients]),
    [
      ['bucket/cameras', 'footage', 30 * 86400, 90 * 86400, ['app/aides', 'app/video']],
      ['bucket/documents', 'personal', undefined, 2 * 365 * 86400, ['app/aides']],
    ],
  );
  assert.deepEqual(model.buckets[0]!.path, ['buckets', 'cameras']);
  assert.deepEqual(model.buckets[1]!.path, ['applications', 'aides', 'data', 'bucket']);
});

test('data services list their clients with database names', () => {
  const model = resolveEstate(base());
  assert.deepEqual(model.databases, [
    { address: 'db/main', name: 'main', kind: 'db', engine: 'postgres', synchronous: true, clients: [{ app: 'app/aides', database: 'aides' }] },
  ]);
  assert.deepEqual(model.caches[0]!.clients, [{ app: 'app/aides' }]);
  assert.equal(model.caches[0]!.synchronous, false);
});

test('access: every user named anywhere, sorted, mfa from access.users', () => {
  const { access } = resolveEstate(base());
  assert.deepEqual(access.groups, [{ name: 'officers', users: ['alice', 'bob'] }]);
  assert.deepEqual(access.users, [
    { name: 'alice', mfa: true },
    { name: 'bob', mfa: false },
    { name: 'carol', mfa: false },
  ]);
});

test('observe: the estate switch applies to every application', () => {
  const spec = base();
  spec.observe = true;
  assert.ok(resolveEstate(spec).applications.every((a) => a.observe));
  const one = base();
  one.applications.video!.observe = true;
  assert.deepEqual(resolveEstate(one).applications.map((a) => a.observe), [false, true]);
});

test('application zones follow the estate order, whatever order they are written in', () => {
  const spec = base();
  spec.zones = ['par-1', 'par-2', 'ams-1'];
  spec.applications.video!.zones = ['ams-1', 'par-1'];
  assert.deepEqual(resolveEstate(spec).applications.find((a) => a.name === 'video')!.zones, ['par-1', 'ams-1']);
});

test('key order of the spec does not change the model', () => {
  const spec = base();
  const reversed = JSON.parse(JSON.stringify(spec), function (this: unknown, _k, v) {
    return v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v;
  }) as EstateSpec;
  assert.equal(JSON.stringify(resolveEstate(reversed)), JSON.stringify(resolveEstate(spec)));
});
