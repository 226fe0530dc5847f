import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNetworkState, removeNetworkState, writeNetworkState, type NetworkState } from './state.ts';

test('the network state round-trips, sorted, and is absent after removal', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'archipel-state-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(await readNetworkState(dir), undefined);
  const state: NetworkState = {
    estate: 'minimal',
    namespaces: [
      { name: 'ap0000-r2', role: 'router', zone: 'par-2', address: 'zone/par-2' },
      { name: 'ap0000-r1', role: 'router', zone: 'par-1', address: 'zone/par-1', ip: '198.19.0.1' },
    ],
    links: [{ name: 'bb1', namespace: 'ap0000-r1', peerNamespace: 'ap0000-r2', kind: 'backbone', peerName: 'bb0' }],
  };
  await writeNetworkState(dir, state);
  const back = await readNetworkState(dir);
  assert.deepEqual(back?.namespaces.map((n) => n.name), ['ap0000-r1', 'ap0000-r2']);
  assert.deepEqual(back?.links, state.links);
  assert.equal((await stat(join(dir, 'network.json'))).mode & 0o777, 0o600);
  await removeNetworkState(dir);
  assert.equal(await readNetworkState(dir), undefined);
});

test('a file that is not a network state is refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'archipel-state-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'network.json'), '{"estate": 3}');
  await assert.rejects(readNetworkState(dir), /not a network state file/);
  assert.equal(await readFile(join(dir, 'network.json'), 'utf8'), '{"estate": 3}');
});
