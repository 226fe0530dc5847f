import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { netcfgBinary, runNetcfg } from './index.ts';

test('runNetcfg feeds namespaces grouped by @ns and reports those done before a failure', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'archipel-netcfg-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // A stand-in for the helper (a unit test of this wrapper, not of the kernel): records its input,
  // acknowledges two namespaces, then fails on the third.
  const fake = join(dir, 'fake');
  await writeFile(fake, `#!/bin/sh\ncat > ${join(dir, 'input')}\necho "ok nsa"\necho "ok nsb"\necho "archipel-netcfg: line 9: eth0: No such device" >&2\nexit 1\n`);
  await chmod(fake, 0o700);
  const done: string[] = [];
  const items = [
    { name: 'nsa', batch: ['link set lo up'] },
    { name: 'nsb', batch: ['link set lo up', 'addr add 198.18.0.2/27 dev eth0'] },
    { name: 'nsc', batch: ['link set eth0 up'] },
  ];
  await assert.rejects(runNetcfg(fake, items, (n) => done.push(n)), /No such device/);
  assert.deepEqual(done, ['nsa', 'nsb']);
  assert.equal(await readFile(join(dir, 'input'), 'utf8'), '@ns nsa\nlink set lo up\n@ns nsb\nlink set lo up\naddr add 198.18.0.2/27 dev eth0\n@ns nsc\nlink set eth0 up\n');
});

test('ARCHIPEL_NETCFG=ip asks for the fallback without building anything', async () => {
  assert.deepEqual(await netcfgBinary({ ARCHIPEL_NETCFG: 'ip' }), { reason: 'ARCHIPEL_NETCFG=ip' });
});

test('the helper builds with the system compiler when there is one, into a 0700 cache', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'archipel-netcfg-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const built = await netcfgBinary({ ARCHIPEL_CACHE_DIR: join(dir, 'cache') });
  if (!built.path) {
    assert.match(built.reason ?? '', /cc/); // no compiler on this host: the reason says so
    return;
  }
  assert.ok(built.path.startsWith(join(dir, 'cache', 'archipel-netcfg-')));
  assert.deepEqual(await netcfgBinary({ ARCHIPEL_CACHE_DIR: join(dir, 'cache') }), built);
});
