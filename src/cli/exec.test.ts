import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from './command.ts';
import { findInstance, splitCommand } from './exec.ts';
import type { ComputeInstance } from '../runtime/local/compute/service.ts';

test('the command starts after the first --, and its own -- and options are kept', () => {
  assert.deepEqual(splitCommand(['f.yaml', 'web.par-1.0', '--', 'sh', '-c', 'x', '--', '--format']), { own: ['f.yaml', 'web.par-1.0'], command: ['sh', '-c', 'x', '--', '--format'] });
  assert.throws(() => splitCommand(['f.yaml', 'x']), UsageError);
  assert.throws(() => splitCommand(['f.yaml', 'x', '--']), /missing CMD/);
});

test('an unknown instance is answered with the valid ones', () => {
  const one = { address: 'app/web/par-1/0', service: 'web.par-1.0' } as ComputeInstance;
  assert.equal(findInstance([one], 'web.par-1.0'), one);
  assert.equal(findInstance([one], 'app/web/par-1/0'), one);
  assert.throws(() => findInstance([one], 'web'), /valid values: app\/web\/par-1\/0/);
});
