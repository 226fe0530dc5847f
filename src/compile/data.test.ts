import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveEstate } from '../model/resolve.ts';
import { planAddresses } from './addresses.ts';
import { compileData } from './data.ts';
import { minimalSpec } from './testing.ts';

test('a database: primary in the first zone, one member per zone, voters with the witness, clients', () => {
  const model = resolveEstate(minimalSpec());
  const plan = planAddresses(model);
  const { databases, caches } = compileData(model, plan.instances);
  assert.deepEqual(caches, []);
  const main = databases[0]!;
  assert.equal(main.address, 'db/main');
  assert.equal(main.engine, 'postgres');
  assert.equal(main.synchronous, true);
  assert.equal(main.primaryZone, 'par-1');
  assert.equal(main.port, 5432);
  assert.deepEqual(main.members.map((m) => [m.instance, m.role]), [['db/main/par-1/0', 'primary'], ['db/main/par-2/0', 'replica']]);
  assert.equal(main.members[0]!.ip, plan.instances.find((i) => i.address === 'db/main/par-1/0')!.ip);
  assert.deepEqual(main.voters, [{ location: 'zone/par-1', zone: 'par-1' }, { location: 'zone/par-2', zone: 'par-2' }, { location: 'witness/par-3' }]);
  assert.deepEqual(main.clients, [{ app: 'app/api', database: 'api' }, { app: 'app/worker', database: 'worker' }]);
});

test('a cache without a witness: voters are the zones only, asynchronous', () => {
  const spec = minimalSpec();
  delete spec.witness;
  spec.caches = { sessions: { engine: 'redis' } };
  spec.applications.web!.data = { cache: { cluster: 'sessions' } };
  const model = resolveEstate(spec);
  const { caches } = compileData(model, planAddresses(model).instances);
  assert.deepEqual(
    caches.map((c) => [c.address, c.engine, c.synchronous, c.port, c.voters.length, c.clients]),
    [['cache/sessions', 'redis', false, 6379, 2, [{ app: 'app/web' }]]],
  );
});
