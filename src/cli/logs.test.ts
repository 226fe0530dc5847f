import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from './command.ts';
import { formatLogs, lastLines, selectInstances } from './logs.ts';
import type { ComputeInstance } from '../runtime/local/compute/service.ts';

const base = { zone: 'par-1', index: 0, namespace: 'n', ip: '198.18.0.1', port: 8080, uid: 200000 };
const instances: ComputeInstance[] = [
  { ...base, address: 'app/web/par-1/0', app: 'web', service: 'web.par-1.0' },
  { ...base, address: 'app/web/par-2/0', app: 'web', service: 'web.par-2.0', zone: 'par-2' },
  { ...base, address: 'app/api/par-1/0', app: 'api', service: 'api.par-1.0' },
];

test('lastLines keeps the last N lines without the trailing empty one', () => {
  assert.deepEqual(lastLines('a\nb\nc\n', 2), ['b', 'c']);
  assert.deepEqual(lastLines('a\nb', 5), ['a', 'b']);
  assert.deepEqual(lastLines('a\n', 0), []);
  assert.deepEqual(lastLines('', 3), []);
});

test('instances are selected by application, then by address or service name', () => {
  assert.deepEqual(selectInstances(instances, 'web').map((i) => i.address), ['app/web/par-1/0', 'app/web/par-2/0']);
  assert.deepEqual(selectInstances(instances, 'web', 'web.par-2.0').map((i) => i.address), ['app/web/par-2/0']);
  assert.throws(() => selectInstances(instances, 'nope'), (e: unknown) => e instanceof UsageError && /valid values: api, web/.test(e.message));
  assert.throws(() => selectInstances(instances, 'web', 'app/api/par-1/0'), /valid values: app\/web\/par-1\/0, app\/web\/par-2\/0/);
});

test('every line is prefixed by its instance, aligned', () => {
  assert.equal(formatLogs([{ instance: 'app/a/z/0', lines: ['x'] }, { instance: 'app/bb/z/0', lines: ['y', 'z'] }]), 'app/a/z/0  | x\napp/bb/z/0 | y\napp/bb/z/0 | z\n');
});
