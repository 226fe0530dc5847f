import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveEstate } from '../model/resolve.ts';
import { compileBuckets, deleteAfter } from './buckets.ts';
import { minimalSpec } from './testing.ts';

test('delete-by limit: the shorter of expireAfter and retainFor, or none', () => {
  assert.equal(deleteAfter({ expireAfterSeconds: 30, retainForSeconds: 90 }), 30);
  assert.equal(deleteAfter({ retainForSeconds: 90 }), 90);
  assert.equal(deleteAfter({}), undefined);
});

test('buckets: class default operational, clients, versioning', () => {
  const spec = minimalSpec();
  spec.buckets = { cameras: { class: 'footage', expireAfter: '30d', retainFor: '1y' }, plain: {} };
  spec.applications.worker!.data = { bucket: { name: 'cameras', versioning: true } };
  assert.deepEqual(compileBuckets(resolveEstate(spec)), [
    { address: 'bucket/cameras', name: 'cameras', class: 'footage', deleteAfterSeconds: 30 * 86400, versioning: true, clients: ['app/worker'] },
    { address: 'bucket/plain', name: 'plain', class: 'operational', versioning: false, clients: [] },
  ]);
});
