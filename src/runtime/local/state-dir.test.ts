import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeStateDir, stateDirFor, stateDirPath } from './state-dir.ts';

test('the state dir lives under ARCHIPEL_STATE_DIR, 0700, and is removed on request', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'archipel-root-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const env = { ARCHIPEL_STATE_DIR: join(root, 'lib') };
  const dir = await stateDirFor('minimal', env);
  assert.equal(dir, join(root, 'lib', 'minimal'));
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  assert.equal((await stat(join(root, 'lib'))).mode & 0o777, 0o711);
  await removeStateDir('minimal', env);
  await assert.rejects(stat(dir), /ENOENT/);
});

test('the default root is /var/lib/archipel and estate names are checked as paths', () => {
  assert.equal(stateDirPath('region', {}), '/var/lib/archipel/region');
  assert.throws(() => stateDirPath('../etc', {}), /invalid estate name/);
});
