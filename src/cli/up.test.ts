import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.ts';
import type { Io } from './command.ts';

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const root = await mkdtemp(join(tmpdir(), 'archipel-up-cli-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (s) => out.push(s), err: (s) => err.push(s), cwd: root, env: { ARCHIPEL_STATE_DIR: join(root, 'state') } };
  return { root, io, out, err };
}

test('up without FILE, with two files or an unknown option is a usage error (exit 2)', async (t) => {
  const { io, err } = await setup(t);
  assert.equal(await main(['up'], io), 2);
  assert.match(err.join(''), /missing FILE/);
  assert.equal(await main(['up', 'a.yaml', 'b.yaml'], io), 2);
  assert.equal(await main(['up', 'a.yaml', '--format', 'yaml'], io), 2);
  assert.match(err.join(''), /valid values: text, json/);
  assert.equal(await main(['up', 'a.yaml', '--bogus'], io), 2);
  assert.match(err.join(''), /valid options: --dry-run, --format/);
});

test('up on an invalid estate prints its diagnostics, exits 2 and creates nothing', async (t) => {
  const { root, io, err } = await setup(t);
  await writeFile(join(root, 'bad.yaml'), 'estate: bad\nzones: [par-1]\napplications: {}\n');
  assert.equal(await main(['up', 'bad.yaml'], io), 2);
  assert.match(err.join(''), /bad\.yaml:\d+:\d+: error/);
  assert.equal(existsSync(join(root, 'state')), false);
  assert.equal(await main(['up', 'missing.yaml'], io), 2);
  assert.match(err.join(''), /E_FILE/);
});

test('down of an estate that was never up is fine (idempotent), and names are checked', async (t) => {
  const { io, out } = await setup(t);
  assert.equal(await main(['down', '--estate', 'neverup'], io), 0);
  assert.match(out.join(''), /estate neverup down: nothing recorded \(not up\)/);
  out.length = 0;
  assert.equal(await main(['down', '--estate', 'neverup', '--format', 'json'], io), 0);
  assert.deepEqual(JSON.parse(out.join('')), { estate: 'neverup', removedNamespaces: 0, seconds: 0, note: 'nothing recorded (not up)' });
  assert.equal(await main(['down', '--estate', '../etc'], io), 2);
  assert.equal(await main(['down'], io), 2);
});

test('ARCHIPEL_LAYERS selects layers in their order and refuses unknown ones with the valid list', async () => {
  const { selectLayers } = await import('./up.ts');
  const { UsageError } = await import('./command.ts');
  const layer = (name: string) => ({ name, preconditions: async () => [], plan: async () => [], up: async () => undefined, down: async () => undefined });
  const all = [layer('network'), layer('secrets'), layer('compute')];
  assert.deepEqual(selectLayers({}, all).map((l) => l.name), ['network', 'secrets', 'compute']);
  assert.deepEqual(selectLayers({ ARCHIPEL_LAYERS: 'compute, network' }, all).map((l) => l.name), ['network', 'compute']);
  assert.throws(() => selectLayers({ ARCHIPEL_LAYERS: 'network,nope' }, all), (e: unknown) => e instanceof UsageError && /unknown layer "nope".*valid layers: network, secrets, compute/.test(e.message));
});
