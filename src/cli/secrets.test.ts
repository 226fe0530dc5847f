import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretStore } from '../runtime/local/secrets/store.ts';
import { main } from './main.ts';
import type { Io } from './command.ts';

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const root = await mkdtemp(join(tmpdir(), 'archipel-secrets-cli-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (s) => out.push(s), err: (s) => err.push(s), cwd: root, env: { ARCHIPEL_STATE_DIR: root } };
  return { root, io, out, err, stateDir: join(root, 'unitsc') };
}

test('secrets list shows names, versions and dates but never a value; rotate bumps the version', async (t) => {
  const { io, out, stateDir } = await setup(t);
  const store = await SecretStore.open(stateDir, { now: () => new Date('2026-05-06T07:08:09.000Z') });
  await store.ensure(['db.main.api.password']);
  const value = (await store.reveal('db.main.api.password')).toString();

  assert.equal(await main(['secrets', 'list', '--estate', 'unitsc'], io), 0);
  assert.equal(out.join(''), 'NAME                  VERSION  KEPT  CREATED\ndb.main.api.password  1        1     2026-05-06T07:08:09.000Z\n');

  out.length = 0;
  assert.equal(await main(['secrets', 'rotate', '--estate', 'unitsc', 'db.main.api.password', '--format', 'json'], io), 0);
  const rotated = JSON.parse(out.join(''));
  assert.equal(rotated.version, 2);
  assert.deepEqual(rotated.versions, [2, 1]);
  assert.equal(rotated.rewritten, 0);

  out.length = 0;
  assert.equal(await main(['secrets', 'list', '--estate', 'unitsc', '--format', 'json'], io), 0);
  const listed = out.join('');
  assert.equal(JSON.parse(listed).secrets[0].version, 2);
  assert.ok(!listed.includes(value) && !listed.includes((await store.reveal('db.main.api.password')).toString()));
});

test('secrets answers bad input with the valid values (exit 2) and a missing store with "not up" (exit 1)', async (t) => {
  const { io, err, stateDir } = await setup(t);
  assert.equal(await main(['secrets', 'show', '--estate', 'unitsc'], io), 2);
  assert.match(err.join(''), /unknown subcommand "show" \(valid subcommands: list, rotate\)/);
  assert.equal(await main(['secrets', 'list', '--estate', 'unitsc'], io), 1);
  assert.match(err.join(''), /estate unitsc has no secrets \(not up/);
  await (await SecretStore.open(stateDir)).ensure(['cache.sessions.password']);
  err.length = 0;
  assert.equal(await main(['secrets', 'rotate', '--estate', 'unitsc', 'cache.nope.password'], io), 2);
  assert.match(err.join(''), /unknown secret "cache.nope.password" \(valid names: cache.sessions.password\)/);
  assert.equal(await main(['secrets', 'rotate', '--estate', 'unitsc'], io), 2);
  assert.equal(await main(['secrets', 'list', '--estate', 'Bad/Name'], io), 2);
});
