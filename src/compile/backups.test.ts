import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveEstate } from '../model/resolve.ts';
import { compileBackups, keepsFor } from './backups.ts';
import { minimalSpec } from './testing.ts';

const DAY = 86400;

test('keepsFor: the longest retention the keep rules imply', () => {
  assert.equal(keepsFor({ everySeconds: 900, keep: { hourly: 24 } }), DAY);
  assert.equal(keepsFor({ everySeconds: 3600, keep: { daily: 7, weekly: 2 } }), 14 * DAY);
  assert.equal(keepsFor({ everySeconds: DAY, keep: { monthly: 12 } }), 360 * DAY);
  assert.equal(keepsFor({ everySeconds: DAY, keep: { yearly: 2, monthly: 1 } }), 730 * DAY);
  assert.equal(keepsFor({ everySeconds: 600, keep: { last: 6 } }), 3600);
});

test('footage stays out of long-lived levels; personal data is encrypted by class', () => {
  const spec = minimalSpec();
  spec.buckets = { cameras: { class: 'footage', expireAfter: '30d' } };
  spec.applications.web!.data = {
    bucket: { name: 'documents', class: 'personal', retainFor: '2y' },
    volumes: [{ name: 'uploads', path: '/srv/uploads', class: 'personal' }],
  };
  const plan = compileBackups(resolveEstate(spec));
  assert.deepEqual(plan.levels.map((l) => [l.level, l.keepsForSeconds, l.immutable]), [['zone', DAY, false], ['cross-zone', 7 * DAY, false], ['vault', 360 * DAY, true]]);
  const item = (address: string) => plan.items.find((i) => i.address === address)!;
  assert.equal(item('backup/bucket/cameras@zone').included, true);
  assert.equal(item('backup/bucket/cameras@cross-zone').included, true);
  const excluded = item('backup/bucket/cameras@vault');
  assert.equal(excluded.included, false);
  assert.equal(excluded.reason, 'the vault level keeps backups 360d, longer than the 30d delete-by limit of bucket/cameras');
  assert.equal(item('backup/bucket/documents@vault').included, true);
  assert.equal(item('backup/bucket/documents@vault').encryptionKeyClass, 'personal');
  assert.equal(item('backup/app/web/volume/uploads@vault').method, 'files');
  assert.equal(item('backup/db/main@vault').method, 'postgres-wal');
  assert.equal(item('backup/db/main@vault').encryptionKeyClass, undefined);
  assert.equal(plan.items.length, 3 * 4);
  const addresses = plan.items.map((i) => i.address);
  assert.deepEqual(addresses, [...addresses].sort());
});

test('no backup levels: no items', () => {
  const spec = minimalSpec();
  delete spec.backups;
  assert.deepEqual(compileBackups(resolveEstate(spec)), { levels: [], items: [] });
});
