import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EstateSpec } from './schema.ts';
import { Estate } from './schema.ts';
import { deleteByLimit, instancesPerZoneCapacity, keepsForSeconds, validateEstate } from './validate.ts';

/** A valid estate with no warnings; each case below breaks one thing. */
function base(): EstateSpec {
  return Estate.parse({
    estate: 'demo',
    zones: ['par-1', 'par-2'],
    witness: 'par-3',
    applications: {
      web: { tier: 'important', health: { http: '/healthz' }, expose: { host: 'web.demo.example', allow: ['public', 'group:staff', 'user:carol'] }, flows: [{ to: 'api' }] },
      api: { tier: 'critical', port: 9000, ports: [{ name: 'metrics', port: 9100 }], flows: [{ to: 'db/main' }, { to: 'cache/sessions' }, { to: 'bucket/docs' }], data: { database: { cluster: 'main', name: 'api' }, cache: { cluster: 'sessions' } } },
      video: { data: { bucket: { name: 'cameras', class: 'footage', expireAfter: '30d' } } },
    },
    databases: { main: { engine: 'postgres', synchronous: true } },
    caches: { sessions: { engine: 'redis' } },
    buckets: { docs: { class: 'personal', retainFor: '2y' } },
    backups: [
      { level: 'zone', every: '15m', keep: { hourly: 24 } },
      { level: 'vault', every: '1d', keep: { daily: 7 }, immutable: true },
    ],
    access: { groups: { staff: ['alice'] }, users: { carol: {} } },
  });
}

function codes(mutate: (s: EstateSpec) => void): string[] {
  const spec = base();
  mutate(spec);
  return validateEstate(spec).map((d) => `${d.code} ${d.address ?? '-'} ${JSON.stringify(d.path)}`);
}

test('the base estate is valid with no warnings', () => {
  assert.deepEqual(validateEstate(base()), []);
});

const cases: [string, (s: EstateSpec) => void, string[]][] = [
  ['unknown flow target', (s) => s.applications.web!.flows!.push({ to: 'apx' }), ['E_UNKNOWN_FLOW_TARGET flow/app/web->app/apx ["applications","web","flows",1,"to"]']],
  ['unknown db flow target', (s) => s.applications.api!.flows!.push({ to: 'db/mian' }), ['E_UNKNOWN_FLOW_TARGET flow/app/api->db/mian ["applications","api","flows",3,"to"]']],
  ['flow to a closed port', (s) => (s.applications.web!.flows![0]!.port = 8080), ['E_FLOW_PORT_CLOSED flow/app/web->app/api:8080 ["applications","web","flows",0,"port"]']],
  ['flow to an extra port is fine', (s) => s.applications.web!.flows!.push({ to: 'api', port: 9100 }), []],
  ['udp flow to a tcp port', (s) => (s.applications.web!.flows![0]!.protocol = 'udp'), ['E_FLOW_PORT_CLOSED flow/app/web->app/api:9000/udp ["applications","web","flows",0,"protocol"]']],
  ['flow to a database on another port', (s) => (s.applications.api!.flows![0]!.port = 5433), ['E_FLOW_PORT_CLOSED flow/app/api->db/main:5433 ["applications","api","flows",0,"port"]']],
  ['flow to itself', (s) => s.applications.web!.flows!.push({ to: 'web' }), ['W_FLOW_TO_SELF flow/app/web->app/web:8080 ["applications","web","flows",1,"to"]']],
  ['duplicate flow', (s) => s.applications.web!.flows!.push({ to: 'api', port: 9000 }), ['W_DUPLICATE_FLOW flow/app/web->app/api:9000 ["applications","web","flows",1]']],
  ['db flow without data.database', (s) => s.applications.web!.flows!.push({ to: 'db/main' }), ['W_DB_FLOW_WITHOUT_DATA flow/app/web->db/main:5432 ["applications","web","flows",1,"to"]']],
  ['unknown zone', (s) => (s.applications.web!.zones = ['par-1', 'par-4']), ['E_UNKNOWN_ZONE app/web ["applications","web","zones",1]']],
  ['duplicate zone', (s) => s.zones.push('par-1'), ['E_DUPLICATE_ZONE zone/par-1 ["zones",2]']],
  ['witness equal to a zone', (s) => (s.witness = 'par-2'), ['E_WITNESS_IS_ZONE witness/par-2 ["witness"]']],
  ['critical in one zone', (s) => (s.applications.api!.zones = ['par-1']), ['E_OBJECTIVE_ZONES app/api ["applications","api","zones"]']],
  ['port conflict', (s) => s.applications.api!.ports!.push({ name: 'admin', port: 9000 }), ['E_PORT_CONFLICT app/api ["applications","api","ports",1,"port"]']],
  ['port name twice', (s) => s.applications.api!.ports!.push({ name: 'metrics', port: 9200 }), ['E_PORT_CONFLICT app/api ["applications","api","ports",1,"name"]']],
  ['same port, other protocol', (s) => s.applications.api!.ports!.push({ name: 'dns', port: 9000, protocol: 'udp' }), []],
  ['exposed without health', (s) => delete s.applications.web!.health, ['E_EXPOSE_NEEDS_HEALTH app/web ["applications","web","expose"]']],
  ['undeclared database', (s) => (s.applications.api!.data!.database!.cluster = 'mian'), ['E_UNKNOWN_DATABASE app/api ["applications","api","data","database","cluster"]']],
  ['undeclared cache', (s) => (s.applications.api!.data!.cache!.cluster = 'other'), ['E_UNKNOWN_CACHE app/api ["applications","api","data","cache","cluster"]']],
  ['bucket twice', (s) => (s.applications.video!.data!.bucket!.name = 'docs'), ['E_DUPLICATE_BUCKET bucket/docs ["applications","video","data","bucket","name"]']],
  ['expireAfter beyond retainFor', (s) => (s.buckets!.docs!.expireAfter = '3y'), ['E_RETENTION_CONTRADICTION bucket/docs ["buckets","docs","expireAfter"]']],
  ['personal without limit', (s) => delete s.buckets!.docs!.retainFor, ['W_PERSONAL_NO_LIMIT bucket/docs ["buckets","docs","class"]']],
  ['pool too small', (s) => (s.addressPool = '198.18.0.0/24'), ['E_POOL_TOO_SMALL - ["addressPool"]']],
  ['pool not aligned', (s) => (s.addressPool = '198.18.0.1/16'), ['E_POOL_NOT_ALIGNED - ["addressPool"]']],
  ['prefix too short for the pool', (s) => {
    s.networkPrefix = 20;
    s.addressPool = '198.18.0.0/22';
  }, ['E_POOL_TOO_SMALL - ["addressPool"]']],
  ['immutable vault beyond a delete-by limit', (s) => (s.backups![1]!.keep = { monthly: 12 }), ['W_BACKUP_EXCLUDES bucket/cameras ["backups",1]']],
  ['mutable level beyond a limit is silent', (s) => (s.backups![0]!.keep = { monthly: 12 }), []],
  ['duplicate backup level', (s) => s.backups!.push({ level: 'zone', every: '1h', keep: { daily: 1 } }), ['E_DUPLICATE_BACKUP_LEVEL - ["backups",2,"level"]']],
  ['island', (s) => (s.applications.lonely = {}), ['W_ISLAND app/lonely ["applications","lonely"]']],
  ['sync without witness', (s) => delete s.witness, ['E_SYNC_NEEDS_WITNESS db/main ["databases","main","synchronous"]']],
  ['rpo 0 on an async database', (s) => (s.databases!.main!.synchronous = false), ['E_RPO_NEEDS_SYNC app/api ["applications","api","tier"]']],
  ['rpo 0 by override', (s) => {
    s.applications.api!.tier = 'standard';
    s.databases!.main!.synchronous = false;
    s.applications.api!.objectives = { rpo: '0s' };
  }, ['E_RPO_NEEDS_SYNC app/api ["applications","api","objectives","rpo"]']],
  ['undeclared group', (s) => s.applications.web!.expose!.allow.push('group:staf'), ['E_UNKNOWN_GROUP app/web ["applications","web","expose","allow",3]']],
  ['undeclared user', (s) => s.applications.web!.expose!.allow.push('user:mallory'), ['E_UNKNOWN_USER app/web ["applications","web","expose","allow",3]']],
  ['group member is a declared user', (s) => s.applications.web!.expose!.allow.push('user:alice'), []],
  ['too many instances', (s) => {
    s.networkPrefix = 28;
    s.applications.web!.instances = 6;
  }, ['E_TOO_MANY_INSTANCES app/web ["applications","web","instances"]']],
  ['reserved name', (s) => (s.caches!.default = { engine: 'redis' }), ['E_RESERVED_NAME cache/default ["caches","default"]']],
  ['trailing dash', (s) => (s.applications['front-'] = { flows: [{ to: 'web' }] }), ['E_UNSAFE_NAME app/front- ["applications","front-"]']],
  ['doubled dash in a port name', (s) => (s.applications.api!.ports![0]!.name = 'met--rics'), ['E_UNSAFE_NAME app/api ["applications","api","ports",0,"name"]']],
  ['dash collision', (s) => (s.applications['w-eb'] = { flows: [{ to: 'web' }] }), ['E_NAME_COLLISION app/web ["applications","web"]']],
];

for (const [name, mutate, expected] of cases) {
  test(`validate: ${name}`, () => assert.deepEqual(codes(mutate), expected));
}

test('an app and a database may share a name: their addresses differ', () => {
  assert.deepEqual(codes((s) => (s.applications.main = { flows: [{ to: 'web' }] })), []);
});

test('every problem is collected at once, each with a hint', () => {
  const spec = base();
  spec.witness = 'par-1';
  spec.applications.web!.flows!.push({ to: 'nowhere' });
  delete spec.applications.web!.health;
  const found = validateEstate(spec);
  assert.deepEqual(found.map((d) => d.code).sort(), ['E_EXPOSE_NEEDS_HEALTH', 'E_UNKNOWN_FLOW_TARGET', 'E_WITNESS_IS_ZONE']);
  assert.ok(found.every((d) => d.hint && d.path));
});

test('pool message gives the numbers', () => {
  const spec = base();
  spec.addressPool = '198.18.0.0/24';
  const [d] = validateEstate(spec);
  assert.equal(d!.message, 'address pool 198.18.0.0/24 holds 4 networks of /26; the estate needs 15 (3 applications, 1 database, 1 cache, 2 buckets, plus 8 reserved infrastructure blocks)');
  assert.equal(d!.hint, 'use a pool of /22 or larger (the default 198.18.0.0/15 holds 2048), or a longer networkPrefix');
});

test('retention helpers', () => {
  assert.equal(keepsForSeconds({ level: 'vault', every: '1d', keep: { monthly: 12, daily: 7 } }), 360 * 86400);
  assert.equal(keepsForSeconds({ level: 'zone', every: '15m', keep: { last: 8 } }), 2 * 3600);
  assert.equal(deleteByLimit({ expireAfter: '30d', retainFor: '2y' }), 30 * 86400);
  assert.equal(deleteByLimit({}), undefined);
  assert.equal(instancesPerZoneCapacity(26, 2), 29);
  assert.equal(instancesPerZoneCapacity(26, 3), 13);
  assert.equal(instancesPerZoneCapacity(28, 2), 5);
});
