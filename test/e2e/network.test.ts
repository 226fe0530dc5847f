/**
 * End-to-end (root): the network layer through `archipel up` and `down` on minimal.yaml (renamed e2enet)
 * and a mid-size estate (e2emid): namespaces, bridges and routes exist; a declared flow connects, an
 * undeclared one is refused by the firewall (admin-prohibited: "No route to host") and a closed port is
 * told apart (connection refused); a flow added to the file changes only the firewall; SIGKILL at every
 * step of bring-up, then up converges and down leaves nothing. The mid-size estate goes through the `ip`
 * fallback (ARCHIPEL_NETCFG=ip), the others through the netcfg helper. Only the network layer runs
 * (ARCHIPEL_LAYERS=network): the processes of the later layers have their own tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { localNames } from '../../src/runtime/local/network/names.ts';
import { readNetworkState, type NetworkState } from '../../src/runtime/local/network/state.ts';
import { cli, connect, estateNamespaces, isRoot, listen, nsenter, sweep } from './helpers.ts';

const ROOT_ONLY = isRoot() ? false : 'needs root (network namespaces): run as root';
const MINIMAL = new URL('../../examples/minimal.yaml', import.meta.url).pathname;
const MID = new URL('./fixtures/network-mid.yaml', import.meta.url).pathname;

async function setup(t: import('node:test').TestContext, estates: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'archipel-e2e-net-'));
  // The network layer alone: these tests are about the topology, not the processes the later layers start.
  const env = { ARCHIPEL_STATE_DIR: join(dir, 'state'), ARCHIPEL_LAYERS: 'network' };
  t.after(async () => {
    for (const estate of estates) {
      await cli(['down', '--estate', estate], env);
      await sweep(estate);
    }
    await rm(dir, { recursive: true, force: true });
  });
  return { dir, env };
}

const ns = (state: NetworkState, address: string) => {
  const found = state.namespaces.find((n) => n.address === address);
  assert.ok(found, `no namespace for ${address}`);
  return found;
};

async function assertGone(estate: string, env: { ARCHIPEL_STATE_DIR: string }) {
  assert.deepEqual(await estateNamespaces(estate), [], 'no namespace of the estate is left');
  assert.equal(existsSync(join(env.ARCHIPEL_STATE_DIR, estate)), false, 'the state dir is removed');
}

test('minimal estate: topology, declared and undeclared flows, converge on a flow change, down', { skip: ROOT_ONLY }, async (t) => {
  const { dir, env } = await setup(t, ['e2enet']);
  const file = join(dir, 'e2enet.yaml');
  const source = (await readFile(MINIMAL, 'utf8')).replace(/^estate: minimal$/m, 'estate: e2enet');
  await writeFile(file, source);

  const up = await cli(['up', file, '--format', 'json'], env);
  assert.equal(up.code, 0, up.stderr);
  const summary = JSON.parse(up.stdout) as { namespaces: number; links: number; rules: number };
  // 2 routers, 8 instances (3 apps and the database, one per zone), 2 edges, the witness.
  assert.equal(summary.namespaces, 13);
  assert.equal(summary.links, 13);
  assert.ok(summary.rules > 0);
  const state = (await readNetworkState(join(env.ARCHIPEL_STATE_DIR, 'e2enet')))!;
  assert.deepEqual((await estateNamespaces('e2enet')).sort(), state.namespaces.map((n) => n.name).sort());

  // Each router: one bridge per network (web, api, worker, db/main), the zone table loaded, no default route.
  for (const router of state.namespaces.filter((n) => n.role === 'router')) {
    const bridges = JSON.parse((await nsenter(router.name, ['ip', '-j', 'link', 'show', 'type', 'bridge'])).stdout) as unknown[];
    assert.equal(bridges.length, 4);
    assert.match((await nsenter(router.name, ['nft', 'list', 'tables'])).stdout, /table inet archipel/);
    assert.doesNotMatch((await nsenter(router.name, ['ip', 'route', 'show'])).stdout, /^default/m);
  }
  const web1 = ns(state, 'app/web/par-1/0');
  const api2 = ns(state, 'app/api/par-2/0');
  const api1 = ns(state, 'app/api/par-1/0');
  const db1 = ns(state, 'db/main/par-1/0');
  assert.match((await nsenter(web1.name, ['ip', 'route', 'show', 'default'])).stdout, /^default via 198\.1[89]\./);
  // The witness reaches each zone over that zone's own link, and each zone reaches it over its own link.
  const names = localNames('e2enet');
  const witness = ns(state, 'witness/par-3');
  for (const zone of ['par-1', 'par-2']) {
    const member = ns(state, `db/main/${zone}/0`);
    assert.match((await nsenter(witness.name, ['ip', 'route', 'get', member.ip!])).stdout, new RegExp(`dev ${names.witnessPort(zone)} src ${witness.ip!.replace(/\./g, '\\.')}`));
    assert.match((await nsenter(ns(state, `zone/${zone}`).name, ['ip', 'route', 'get', witness.ip!])).stdout, /dev wt0/);
  }

  const servers: ChildProcess[] = [];
  t.after(() => servers.forEach((s) => s.kill('SIGKILL')));
  servers.push(await listen(api2.name, 8080), await listen(db1.name, 5432));
  assert.equal(await connect(web1.name, api2.ip!, 8080), 'open', 'declared web -> api:8080, across zones');
  assert.equal(await connect(web1.name, db1.ip!, 5432), 'filtered', 'undeclared web -> db/main is refused by the firewall');
  assert.equal(await connect(api1.name, api2.ip!, 9999), 'refused', 'same application, closed port: refused, not filtered');

  // Converge: add a flow; nothing but the firewall changes (same namespaces, same kernel objects).
  const inodes = await Promise.all(state.namespaces.map(async (n) => (await stat(`/run/netns/${n.name}`)).ino));
  await writeFile(file, source.replace('flows: [{ to: api }]', 'flows: [{ to: api }, { to: db/main }]'));
  const dry = await cli(['up', file, '--dry-run', '--format', 'json'], env);
  assert.equal(dry.code, 0, dry.stderr);
  const planned = (JSON.parse(dry.stdout) as { layers: { actions: { action: string; address: string }[] }[] }).layers.flatMap((l) => l.actions);
  assert.deepEqual(planned.filter((a) => a.action !== 'keep').map((a) => a.address), ['firewall/par-1', 'firewall/par-2']);
  const again = await cli(['up', file], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /created 0 namespaces/);
  assert.match(again.stderr, /configured 0 namespaces/);
  assert.deepEqual(await Promise.all(state.namespaces.map(async (n) => (await stat(`/run/netns/${n.name}`)).ino)), inodes);
  assert.equal(await connect(web1.name, db1.ip!, 5432), 'open', 'the new flow is allowed after the atomic reload');

  // Remove an application: its namespaces and bridges go, the rest stays.
  await writeFile(file, source.replace(/ {2}worker:\n(?: {4}.*\n)+/, ''));
  const shrink = await cli(['up', file], env);
  assert.equal(shrink.code, 0, shrink.stderr);
  assert.match(shrink.stderr, /removed 2 namespaces/);
  const after = (await readNetworkState(join(env.ARCHIPEL_STATE_DIR, 'e2enet')))!;
  assert.equal(after.namespaces.length, 11);
  assert.deepEqual((await estateNamespaces('e2enet')).sort(), after.namespaces.map((n) => n.name).sort());
  const r1 = ns(after, 'zone/par-1');
  assert.equal((JSON.parse((await nsenter(r1.name, ['ip', '-j', 'link', 'show', 'type', 'bridge'])).stdout) as unknown[]).length, 3);

  const down = await cli(['down', file], env);
  assert.equal(down.code, 0, down.stderr);
  await assertGone('e2enet', env);
  const twice = await cli(['down', '--estate', 'e2enet'], env);
  assert.equal(twice.code, 0, twice.stderr);
});

test('SIGKILL at every step of bring-up: the next up converges and down leaves nothing', { skip: ROOT_ONLY }, async (t) => {
  const { dir, env } = await setup(t, ['e2ecrash']);
  const file = join(dir, 'e2ecrash.yaml');
  await writeFile(file, (await readFile(MINIMAL, 'utf8')).replace(/^estate: minimal$/m, 'estate: e2ecrash'));

  // From nothing, killed right after the namespaces exist: down alone removes them (write-ahead state).
  const killed = await cli(['up', file], { ...env, ARCHIPEL_TEST_CRASH_AT: '4' });
  assert.equal(killed.signal, 'SIGKILL', killed.stderr);
  assert.ok((await estateNamespaces('e2ecrash')).length > 0);
  assert.equal((await cli(['down', file], env)).code, 0);
  await assertGone('e2ecrash', env);

  // Killed after step 1, then 2, ... each run starting from what the previous one left.
  const steps = 12;
  for (let at = 1; at <= steps; at++) {
    const run = await cli(['up', file], { ...env, ARCHIPEL_TEST_CRASH_AT: String(at) });
    assert.equal(run.signal, 'SIGKILL', `crash point ${at} reached: ${run.stderr}`);
  }
  const up = await cli(['up', file, '--format', 'json'], env);
  assert.equal(up.code, 0, up.stderr);
  assert.equal((JSON.parse(up.stdout) as { namespaces: number }).namespaces, 13);
  const state = (await readNetworkState(join(env.ARCHIPEL_STATE_DIR, 'e2ecrash')))!;
  assert.deepEqual((await estateNamespaces('e2ecrash')).sort(), state.namespaces.map((n) => n.name).sort());
  const web1 = ns(state, 'app/web/par-1/0');
  const api2 = ns(state, 'app/api/par-2/0');
  const server = await listen(api2.name, 8080);
  t.after(() => server.kill('SIGKILL'));
  assert.equal(await connect(web1.name, api2.ip!, 8080), 'open');
  assert.equal(await connect(web1.name, ns(state, 'db/main/par-2/0').ip!, 5432), 'filtered');

  assert.equal((await cli(['down', file], env)).code, 0);
  await assertGone('e2ecrash', env);
});

test('mid-size estate: 12 applications, a database and a cache, up and down (ip fallback path)', { skip: ROOT_ONLY }, async (t) => {
  const setupResult = await setup(t, ['e2emid']);
  // ARCHIPEL_NETCFG=ip: the same result through one ip process per namespace (hosts without a C compiler).
  const env = { ...setupResult.env, ARCHIPEL_NETCFG: 'ip' };
  const up = await cli(['up', MID, '--format', 'json'], env);
  assert.equal(up.code, 0, up.stderr);
  const state = (await readNetworkState(join(env.ARCHIPEL_STATE_DIR, 'e2emid')))!;
  assert.equal((JSON.parse(up.stdout) as { namespaces: number }).namespaces, state.namespaces.length);
  assert.equal(state.namespaces.filter((n) => n.role === 'instance').length, 32);
  const portal = ns(state, 'app/portal/par-2/1');
  const grants = ns(state, 'app/grants/par-1/0');
  const cache = ns(state, 'cache/sessions/par-1/0');
  const server = await listen(grants.name, 8080);
  const redis = await listen(cache.name, 6379);
  t.after(() => [server, redis].forEach((s) => s.kill('SIGKILL')));
  assert.equal(await connect(portal.name, grants.ip!, 8080), 'open', 'declared portal -> grants');
  assert.equal(await connect(portal.name, cache.ip!, 6379), 'open', 'declared portal -> cache/sessions');
  assert.equal(await connect(ns(state, 'app/mail/par-1/0').name, grants.ip!, 8080), 'filtered', 'undeclared mail -> grants');
  assert.equal(await connect(ns(state, 'app/search/par-2/0').name, cache.ip!, 6379), 'filtered', 'undeclared search -> cache');
  const down = await cli(['down', MID], env);
  assert.equal(down.code, 0, down.stderr);
  await assertGone('e2emid', env);
});
