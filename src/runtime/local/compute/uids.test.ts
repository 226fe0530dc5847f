import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateUids, UID_BASE, UID_SLOTS } from './uids.ts';

test('uids are deterministic, distinct and in the range', () => {
  const apps = Array.from({ length: 200 }, (_, i) => `app-${i}`);
  const a = allocateUids('region', apps);
  const b = allocateUids('region', [...apps].reverse());
  assert.deepEqual(a, b);
  const values = Object.values(a);
  assert.equal(new Set(values).size, apps.length);
  for (const uid of values) assert.ok(uid >= UID_BASE && uid < UID_BASE + UID_SLOTS);
});

test('existing allocations are kept and never reused for a new application', () => {
  const first = allocateUids('e', ['web']);
  const stolen = { api: first.web! };
  const next = allocateUids('e', ['web', 'api'], stolen);
  assert.equal(next.api, first.web);
  assert.notEqual(next.web, first.web);
});

test('two estates give the same application different uids', () => {
  assert.notEqual(allocateUids('one', ['web']).web, allocateUids('two', ['web']).web);
});
