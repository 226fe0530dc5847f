import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretStore, SecretStoreError, VERSIONS_KEPT, validateSecretName } from './store.ts';

const fixedClock = (iso: string) => () => new Date(iso);
let counter = 0;
/** Deterministic values so tests can check what reached the files. */
const fakeGenerate = (name: string) => Buffer.from(`value-${name}-${++counter}`);
const isRoot = process.getuid?.() === 0;

async function tmpState(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'archipel-secrets-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a new store has a 0600 master key in a 0700 directory and lists secrets without values', async (t) => {
  const state = await tmpState(t);
  const store = await SecretStore.open(state, { now: fixedClock('2026-01-02T03:04:05.000Z'), generate: fakeGenerate });
  assert.equal((await stat(join(state, 'secrets'))).mode & 0o777, 0o700);
  assert.equal((await stat(join(state, 'secrets', 'master.key'))).mode & 0o777, 0o600);
  assert.equal((await readFile(join(state, 'secrets', 'master.key'))).length, 32);
  await store.ensure(['db.main.web.password', 'cache.sessions.password']);
  const listed = await store.list();
  assert.deepEqual(listed, [
    { name: 'cache.sessions.password', version: 1, createdAt: '2026-01-02T03:04:05.000Z', versions: [1] },
    { name: 'db.main.web.password', version: 1, createdAt: '2026-01-02T03:04:05.000Z', versions: [1] },
  ]);
  const onDisk = await readFile(join(state, 'secrets', 'store.json'), 'utf8');
  assert.equal((await stat(join(state, 'secrets', 'store.json'))).mode & 0o777, 0o600);
  const value = (await store.reveal('db.main.web.password')).toString();
  assert.match(value, /^value-db\.main\.web\.password-/);
  assert.ok(!onDisk.includes(value), 'the value is not stored in clear');
});

test('ensure keeps existing secrets; rotate makes a new version dated by the clock and keeps the previous', async (t) => {
  const state = await tmpState(t);
  let now = '2026-01-01T00:00:00.000Z';
  const store = await SecretStore.open(state, { now: () => new Date(now), generate: fakeGenerate });
  await store.ensure(['db.main.api.password']);
  const first = await store.reveal('db.main.api.password');
  await store.ensure(['db.main.api.password']);
  assert.deepEqual(await store.reveal('db.main.api.password'), first);
  now = '2026-02-01T00:00:00.000Z';
  const rotated = await store.rotate('db.main.api.password');
  assert.deepEqual(rotated, { name: 'db.main.api.password', version: 2, createdAt: now, versions: [2, 1] });
  assert.notDeepEqual(await store.reveal('db.main.api.password'), first);
  for (let i = 0; i < 3; i++) await store.rotate('db.main.api.password');
  assert.equal((await store.list())[0]!.versions.length, VERSIONS_KEPT);
  assert.equal((await store.list())[0]!.version, 5);
});

test('rotate of an unknown secret fails and lists the known ones; invalid names are refused', async (t) => {
  const state = await tmpState(t);
  const store = await SecretStore.open(state, { generate: fakeGenerate });
  await store.ensure(['db.main.api.password']);
  await assert.rejects(store.rotate('db.main.nope.password'), /unknown secret db\.main\.nope\.password \(known secrets: db\.main\.api\.password\)/);
  for (const bad of ['../etc/passwd', 'a/b', '.hidden', 'UPPER', '', 'a..b', 'a.', 'x'.repeat(64)]) {
    assert.throws(() => validateSecretName(bad), SecretStoreError, bad);
  }
  assert.equal(validateSecretName('db.main.api.password'), 'db.main.api.password');
});

test('a tampered ciphertext fails authentication without revealing anything', async (t) => {
  const state = await tmpState(t);
  const store = await SecretStore.open(state, { generate: fakeGenerate });
  await store.ensure(['db.main.api.password', 'db.main.web.password']);
  const path = join(state, 'secrets', 'store.json');
  const file = JSON.parse(await readFile(path, 'utf8'));
  const data = Buffer.from(file.secrets['db.main.api.password'].versions[0].data, 'base64');
  data[0] = data[0]! ^ 1;
  file.secrets['db.main.api.password'].versions[0].data = data.toString('base64');
  await writeFile(path, JSON.stringify(file));
  await assert.rejects(store.reveal('db.main.api.password'), /db\.main\.api\.password version 1 fails authentication/);
  // A valid ciphertext moved under another name fails too: the name is bound in the AAD.
  file.secrets['db.main.api.password'].versions[0] = file.secrets['db.main.web.password'].versions[0];
  await writeFile(path, JSON.stringify(file));
  await assert.rejects(store.reveal('db.main.api.password'), /fails authentication/);
});

test('a wrong master key is refused when the store is opened', async (t) => {
  const state = await tmpState(t);
  const store = await SecretStore.open(state, { generate: fakeGenerate });
  await store.ensure(['db.main.api.password']);
  await writeFile(join(state, 'secrets', 'master.key'), Buffer.alloc(32, 7));
  await assert.rejects(SecretStore.open(state), /does not match the store \(wrong key\)/);
  await writeFile(join(state, 'secrets', 'master.key'), Buffer.alloc(5));
  await assert.rejects(SecretStore.open(state), /is not a 32-byte key/);
});

test('a stale lock left by a dead process is taken over', async (t) => {
  const state = await tmpState(t);
  const store = await SecretStore.open(state, { generate: fakeGenerate });
  await writeFile(join(state, 'secrets', 'lock'), '999999999');
  await store.ensure(['cache.sessions.password']);
  assert.equal((await store.list()).length, 1);
  await assert.rejects(stat(join(state, 'secrets', 'lock')), { code: 'ENOENT' });
});

test('materialise writes 0400 files owned by the uid in a root:gid 0750 directory; rotate re-writes them', { skip: isRoot ? false : 'needs root (chown)' }, async (t) => {
  const state = await tmpState(t);
  const store = await SecretStore.open(state, { generate: fakeGenerate });
  await store.ensure(['db.main.api.password', 'db.main.web.password']);
  const dir = join(state, 'instance-secrets', 'app.api.par-1.0');
  await store.materialise({ uid: 201234, dir, names: ['db.main.api.password'] });
  const dirInfo = await stat(dir);
  assert.equal(dirInfo.mode & 0o777, 0o750);
  assert.equal(dirInfo.uid, 0);
  assert.equal(dirInfo.gid, 201234);
  assert.deepEqual(await readdir(dir), ['db.main.api.password']);
  const fileInfo = await stat(join(dir, 'db.main.api.password'));
  assert.equal(fileInfo.mode & 0o777, 0o400);
  assert.equal(fileInfo.uid, 201234);
  const before = await readFile(join(dir, 'db.main.api.password'));
  assert.deepEqual(before, await store.reveal('db.main.api.password'));
  await store.rotate('db.main.api.password');
  const after = await readFile(join(dir, 'db.main.api.password'));
  assert.notDeepEqual(after, before);
  assert.deepEqual(after, await store.reveal('db.main.api.password'));
  assert.equal((await stat(join(dir, 'db.main.api.password'))).mode & 0o777, 0o400);
  // Re-materialising with fewer names removes what the instance no longer needs.
  await store.materialise({ uid: 201234, dir, names: [] });
  assert.deepEqual(await readdir(dir), []);
  assert.deepEqual((await store.materialisations()).map((m) => m.dir), [dir]);
  await store.unmaterialise(dir);
  assert.deepEqual(await store.materialisations(), []);
  await assert.rejects(stat(dir), { code: 'ENOENT' });
});

test('materialise refuses uid 0, relative or unnormalised directories and unknown secrets', async (t) => {
  const state = await tmpState(t);
  const store = await SecretStore.open(state, { generate: fakeGenerate });
  await store.ensure(['db.main.api.password']);
  const names = ['db.main.api.password'];
  await assert.rejects(store.materialise({ uid: 0, dir: join(state, 'x'), names }), /invalid uid/);
  await assert.rejects(store.materialise({ uid: 201000, dir: 'relative/x', names }), /normalised absolute/);
  await assert.rejects(store.materialise({ uid: 201000, dir: `${state}/a/../b`, names }), /normalised absolute/);
  await assert.rejects(store.materialise({ uid: 201000, dir: join(state, 'x'), names: ['db.main.nope.password'] }), /unknown secret/);
});
