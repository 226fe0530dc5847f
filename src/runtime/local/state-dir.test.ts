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

test('the estate lock excludes a live holder and takes over from a dead one', async (t) => {
  const { withEstateLock } = await import('./state-dir.ts');
  const { writeFile, readFile: read } = await import('node:fs/promises');
  const dir = await mkdtemp(join(tmpdir(), 'archipel-lock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(await withEstateLock(dir, async () => (await read(join(dir, 'lock'), 'utf8')).trim()), String(process.pid));
  await assert.rejects(stat(join(dir, 'lock')), /ENOENT/);
  await writeFile(join(dir, 'lock'), '1\n'); // pid 1 is alive
  await assert.rejects(withEstateLock(dir, async () => 'no'), /another archipel \(pid 1\)/);
  await writeFile(join(dir, 'lock'), '999999999\n'); // no such process: a kill -9 left it
  assert.equal(await withEstateLock(dir, async () => 'taken over'), 'taken over');
});
