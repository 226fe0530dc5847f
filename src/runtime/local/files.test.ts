import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockBusyError, processAlive, removeAtomicFile, withPidLock, writeJsonAtomic } from './files.ts';

test('writeJsonAtomic writes stable JSON and leaves no temporary; removeAtomicFile removes both', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'archipel-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'state.json');
  await writeJsonAtomic(path, { b: 1, a: [1, 2] });
  assert.equal(await readFile(path, 'utf8'), '{\n  "b": 1,\n  "a": [\n    1,\n    2\n  ]\n}\n');
  assert.equal(existsSync(`${path}.tmp`), false);
  await writeFile(`${path}.tmp`, 'crashed half-way');
  await removeAtomicFile(path);
  assert.equal(existsSync(path) || existsSync(`${path}.tmp`), false);
});

test('withPidLock: takes over a dead holder, refuses a live one, releases after the task', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'archipel-lock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'lock');
  const sleeper = spawn('sleep', ['30']);
  t.after(() => sleeper.kill('SIGKILL'));
  await writeFile(path, `${sleeper.pid}\n`);
  await assert.rejects(withPidLock(path, { waitMs: 100 }, async () => 'never'), (e: unknown) => e instanceof LockBusyError && e.holder === sleeper.pid);
  sleeper.kill('SIGKILL');
  await new Promise((resolve) => sleeper.once('exit', resolve));
  assert.equal(await processAlive(sleeper.pid!), false);
  assert.equal(await withPidLock(path, { waitMs: 0 }, async () => readFile(path, 'utf8')), `${process.pid}\n`);
  assert.equal(existsSync(path), false, 'released');
  await writeFile(path, 'not a pid');
  assert.equal(await withPidLock(path, { waitMs: 0 }, async () => 'taken over'), 'taken over');
  await writeFile(path, `${process.pid}\n`);
  await assert.rejects(withPidLock(path, { waitMs: 0 }, async () => 'x'), LockBusyError, 'own pid is live by default');
  assert.equal(await withPidLock(path, { waitMs: 0, takeOverOwn: true }, async () => 'own'), 'own');
});
