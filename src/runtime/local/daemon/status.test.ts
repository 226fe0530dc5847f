import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkState } from '../network/state.ts';
import { collectStatus, type Runner } from './status.ts';

const network: NetworkState = {
  estate: 'unitst',
  namespaces: [
    { name: 'apx-r1', role: 'router', zone: 'par-1', address: 'zone/par-1' },
    { name: 'apx-r2', role: 'router', zone: 'par-2', address: 'zone/par-2' },
    { name: 'apx-i1', role: 'instance', zone: 'par-1', address: 'app/web/par-1/0', ip: '198.18.0.66' },
    { name: 'apx-i2', role: 'instance', zone: 'par-2', address: 'app/web/par-2/0', ip: '198.18.0.98' },
    { name: 'apx-e1', role: 'edge', zone: 'par-1', address: 'edge/par-1' },
  ],
  links: [],
};

const counters = JSON.stringify({
  nftables: [
    { metainfo: { version: '1.0.6' } },
    { counter: { family: 'inet', name: 'denied', table: 'archipel', handle: 3, packets: 4, bytes: 240 } },
    { counter: { family: 'inet', name: 'declared', table: 'archipel', handle: 2, packets: 10, bytes: 900 } },
  ],
});
const deniedSet = JSON.stringify({
  nftables: [{ metainfo: {} }, { set: { name: 'denied', elem: [{ concat: ['198.18.0.66', '198.18.0.130', 'tcp', 22] }, { concat: ['198.18.0.66', '198.18.0.130', 'tcp', 23] }] } }],
});

/** A fake nft: answers for router apx-r1, fails for apx-r2 as a router without its table would. */
function fakeRun(calls: string[][]): Runner {
  return async (file, args) => {
    calls.push([file, ...args]);
    assert.equal(file, 'nsenter');
    if (args[0] === '--net=/run/netns/apx-r2') throw new Error('Error: No such file or directory');
    return args.includes('counters') ? counters : deniedSet;
  };
}

async function fixture(t: { after: (fn: () => Promise<void>) => void }, present: string[]) {
  const root = await mkdtemp(join(tmpdir(), 'archipel-status-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const netnsDir = join(root, 'netns');
  await mkdir(netnsDir);
  for (const name of present) await writeFile(join(netnsDir, name), '');
  return { stateDir: join(root, 'state'), netnsDir };
}

test('status reads counters and the denied-flow set per zone and reports what is missing', async (t) => {
  const { stateDir, netnsDir } = await fixture(t, ['apx-r1', 'apx-r2', 'apx-i1', 'apx-e1']);
  const calls: string[][] = [];
  const status = await collectStatus(stateDir, 'unitst', {
    run: fakeRun(calls),
    netnsDir,
    readNetwork: async () => network,
    readCompute: async () => undefined,
  });
  assert.equal(status.up, true);
  assert.equal(status.healthy, false);
  assert.deepEqual(status.zones[0], {
    zone: 'par-1',
    router: 'apx-r1',
    present: true,
    counters: { declared: { packets: 10, bytes: 900 }, denied: { packets: 4, bytes: 240 } },
    deniedFlows: 2,
  });
  assert.match(status.zones[1]!.error!, /firewall not readable/);
  assert.deepEqual(status.problems, [
    'app/web/par-2/0: namespace apx-i2 is missing',
    'zone/par-2: firewall not readable: Error: No such file or directory',
  ]);
  assert.deepEqual(status.applications, [{ owner: 'app/web', instances: 2, present: 1 }]);
  assert.deepEqual(status.infrastructure, [{ address: 'edge/par-1', namespace: 'apx-e1', role: 'edge', present: true }]);
  assert.ok(calls.some((c) => c.join(' ') === 'nsenter --net=/run/netns/apx-r1 nft -j list counters table inet archipel'));
  assert.ok(calls.some((c) => c.join(' ') === 'nsenter --net=/run/netns/apx-r1 nft -j list set inet archipel denied'));
});

test('with compute state, instances carry pid, health and restarts and an unhealthy one is a problem', async (t) => {
  const { stateDir, netnsDir } = await fixture(t, ['apx-r1', 'apx-r2', 'apx-i1', 'apx-i2', 'apx-e1']);
  const status = await collectStatus(stateDir, 'unitst', {
    run: async (_f, args) => (args.includes('counters') ? counters : deniedSet),
    netnsDir,
    readNetwork: async () => network,
    readCompute: async () => [
      { address: 'app/web/par-1/0', pid: 101, health: 'healthy', restarts: 0 },
      { address: 'app/web/par-2/0', pid: 102, health: 'crash-loop', restarts: 7 },
    ],
  });
  assert.deepEqual(status.instances[1], {
    address: 'app/web/par-2/0',
    owner: 'app/web',
    namespace: 'apx-i2',
    present: true,
    zone: 'par-2',
    ip: '198.18.0.98',
    pid: 102,
    health: 'crash-loop',
    restarts: 7,
  });
  assert.deepEqual(status.applications, [{ owner: 'app/web', instances: 2, present: 2, healthy: 1 }]);
  assert.deepEqual(status.problems, ['app/web/par-2/0: crash-loop']);
  assert.equal(status.compute, true);
});

test('no network state means not up, said plainly', async (t) => {
  const { stateDir, netnsDir } = await fixture(t, []);
  const status = await collectStatus(stateDir, 'unitst', { netnsDir, readCompute: async () => undefined });
  assert.equal(status.up, false);
  assert.deepEqual(status.problems, [`estate unitst is not up (no network state in ${stateDir})`]);
});
