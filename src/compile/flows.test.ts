import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveEstate } from '../model/resolve.ts';
import type { EstateSpec } from '../spec/schema.ts';
import { compileFlows } from './flows.ts';
import { minimalSpec } from './testing.ts';

const spec = (): EstateSpec => ({
  estate: 'region',
  zones: ['par-1', 'par-2'],
  witness: 'par-3',
  applications: {
    aides: {
      port: 8443,
      expose: { host: 'aides.example', allow: ['public'] },
      flows: [{ to: 'payroll' }, { to: 'cache/sessions' }, { to: 'payroll', port: 53, protocol: 'udp' }],
      data: { database: { cluster: 'main', name: 'aides' }, cache: { cluster: 'sessions' }, bucket: { name: 'docs' } },
    },
    payroll: {},
  },
  databases: { main: { engine: 'postgres' } },
  caches: { sessions: { engine: 'redis' } },
  backups: [{ level: 'vault', every: '1d', keep: { daily: 7 } }],
});

const index = (s: EstateSpec) => new Map(compileFlows(resolveEstate(s)).flows.map((f) => [f.address, f]));

test('declared flows default to the target port; udp gets its suffix', () => {
  const flows = index(spec());
  assert.equal(flows.get('flow/app/aides->app/payroll:8080')?.kind, 'declared');
  assert.equal(flows.get('flow/app/aides->app/payroll:53/udp')?.protocol, 'udp');
});

test('data flows exist without a declaration; a declared one keeps kind declared and both reasons', () => {
  const flows = index(spec());
  assert.deepEqual(flows.get('flow/app/aides->db/main:5432'), {
    address: 'flow/app/aides->db/main:5432', from: 'app/aides', to: 'db/main', port: 5432, protocol: 'tcp', kind: 'data',
    reason: 'applications.aides.data.database',
  });
  assert.equal(flows.get('flow/app/aides->bucket/docs:9000')?.kind, 'data');
  const cache = flows.get('flow/app/aides->cache/sessions:6379')!;
  assert.equal(cache.kind, 'declared');
  assert.equal(cache.reason, 'applications.aides.data.cache; applications.aides.flows[1]');
});

test('replication, quorum with the witness both ways, edges per zone, the vault pulls', () => {
  const flows = index(spec());
  for (const [address, kind] of [
    ['flow/db/main->db/main:5432', 'replication'],
    ['flow/db/main->db/main:8008', 'replication'],
    ['flow/db/main->witness/par-3:2379', 'quorum'],
    ['flow/witness/par-3->db/main:2380', 'quorum'],
    ['flow/cache/sessions->cache/sessions:26379', 'replication'],
    ['flow/cache/sessions->witness/par-3:26379', 'quorum'],
    ['flow/witness/par-3->cache/sessions:26379', 'quorum'],
    ['flow/bucket/docs->bucket/docs:9000', 'replication'],
    ['flow/edge/par-1->app/aides:8443', 'edge'],
    ['flow/edge/par-2->app/aides:8443', 'edge'],
    ['flow/vault->db/main:5432', 'backup'],
    ['flow/vault->cache/sessions:6379', 'backup'],
    ['flow/vault->bucket/docs:9000', 'backup'],
  ] as const) {
    assert.equal(flows.get(address)?.kind, kind, address);
  }
  assert.ok(![...flows.values()].some((f) => f.to === 'vault'), 'nothing connects to the vault');
  assert.ok(![...flows.values()].some((f) => f.to === 'app/payroll' && f.from.startsWith('edge/')), 'payroll is not exposed');
});

test('without a witness or backups: no witness or vault flows', () => {
  const s = spec();
  delete s.witness;
  delete s.backups;
  const flows = [...index(s).values()];
  assert.ok(!flows.some((f) => f.from.startsWith('witness/') || f.to.startsWith('witness/') || f.from === 'vault'));
  assert.ok(flows.some((f) => f.address === 'flow/db/main->db/main:2379'), 'etcd members in the zones still talk');
});

test('flows are unique and sorted by address', () => {
  const { flows } = compileFlows(resolveEstate(minimalSpec()));
  const addresses = flows.map((f) => f.address);
  assert.equal(new Set(addresses).size, addresses.length);
  assert.ok(addresses.includes('flow/app/worker->db/main:5432'));
  assert.equal(addresses[0], 'flow/app/api->db/main:5432');
});

test('an unknown flow target is a diagnostic with the document path', () => {
  const s = spec();
  s.applications.aides!.flows!.push({ to: 'db/missing' });
  const { diagnostics } = compileFlows(resolveEstate(s));
  assert.deepEqual(diagnostics.map((d) => [d.code, d.path]), [['E_UNKNOWN_FLOW_TARGET', ['applications', 'aides', 'flows', 3, 'to']]]);
});

test('an undeclared database cluster is a diagnostic', () => {
  const s = spec();
  s.applications.payroll!.data = { database: { cluster: 'nope', name: 'payroll' } };
  const { diagnostics } = compileFlows(resolveEstate(s));
  assert.deepEqual(diagnostics.map((d) => [d.code, d.path]), [['E_UNKNOWN_DATA_SERVICE', ['applications', 'payroll', 'data', 'database']]]);
});
