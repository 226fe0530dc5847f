import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompiledEstate } from '../../../compile/types.ts';
import { forgetInstanceSecrets, hasSecretStore, materialiseInstanceSecrets, provisionSecrets, secretsLayer } from './layer.ts';

const compiled = {
  estate: 'unitsl',
  instances: [
    { address: 'app/api/par-1/0', owner: 'app/api' },
    { address: 'app/web/par-1/0', owner: 'app/web' },
    { address: 'db/main/par-1/0', owner: 'db/main' },
  ],
  data: { databases: [{ address: 'db/main', clients: [{ app: 'app/api', database: 'api' }] }], caches: [] },
} as unknown as CompiledEstate;
const isRoot = process.getuid?.() === 0;

test('the first up generates every secret, a second keeps them; plan says which', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'archipel-secrets-layer-'));
  t.after(() => rm(stateDir, { recursive: true, force: true }));
  const ctx = { compiled, stateDir, log: () => undefined };
  assert.equal(await hasSecretStore(stateDir), false);
  assert.deepEqual((await secretsLayer.plan(ctx)).map((a) => `${a.action} ${a.address}`), ['create secret/db.main.api.password', 'create secret/db.main.replication.password']);
  assert.deepEqual(await provisionSecrets(compiled, stateDir), ['db.main.api.password', 'db.main.replication.password']);
  assert.deepEqual(await provisionSecrets(compiled, stateDir), []);
  assert.deepEqual((await secretsLayer.plan(ctx)).map((a) => a.action), ['keep', 'keep']);
});

test('an instance gets only its own secrets; down removes every materialised directory', { skip: isRoot ? false : 'needs root (chown)' }, async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'archipel-secrets-layer-'));
  t.after(() => rm(stateDir, { recursive: true, force: true }));
  const api = await materialiseInstanceSecrets(compiled, stateDir, 'app/api/par-1/0', 200100);
  const web = await materialiseInstanceSecrets(compiled, stateDir, 'app/web/par-1/0', 200200);
  assert.deepEqual(await readdir(api), ['db.main.api.password']);
  assert.deepEqual(await readdir(web), []);
  assert.equal((await stat(join(api, 'db.main.api.password'))).uid, 200100);
  await assert.rejects(materialiseInstanceSecrets(compiled, stateDir, 'app/nope/par-1/0', 200300), /unknown instance/);
  await forgetInstanceSecrets(stateDir, 'app/web/par-1/0');
  await assert.rejects(stat(web), { code: 'ENOENT' });
  await secretsLayer.down({ stateDir, estate: 'unitsl', log: () => undefined });
  await assert.rejects(stat(api), { code: 'ENOENT' });
});
