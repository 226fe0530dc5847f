/**
 * End-to-end (root): each fault injected and healed on minimal.yaml brought up as `e2efault` (network layer
 * only, busybox listeners standing in for instances): zone-loss (a process frozen, a cross-zone connection
 * times out instead of being refused, then works again), backbone-cut, witness-loss, instance-crash; and
 * nothing left after heal + down (no namespaces, no freezer cgroups).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNetworkState } from '../../src/runtime/local/network/state.ts';
import { FREEZER_ROOT } from '../../src/runtime/local/network/faults/faults.ts';
import { cli, connect, estateNamespaces, isRoot, listen, sweep } from './helpers.ts';

const MINIMAL = new URL('../../examples/minimal.yaml', import.meta.url).pathname;
const ESTATE = 'e2efault';

test('faults: zone-loss, backbone-cut, witness-loss, instance-crash injected and healed', { skip: isRoot() ? false : 'needs root (namespaces, nftables, cgroup freezer)' }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'archipel-faults-'));
  const env = { ARCHIPEL_STATE_DIR: join(dir, 'state'), ARCHIPEL_LAYERS: 'network' };
  const file = join(dir, 'estate.yaml');
  await writeFile(file, (await readFile(MINIMAL, 'utf8')).replace(/^estate: minimal$/m, `estate: ${ESTATE}`));
  const children: { kill: (s: NodeJS.Signals) => boolean }[] = [];
  t.after(async () => {
    await cli(['fault', 'heal', '--all', file], env);
    for (const c of children) c.kill('SIGKILL');
    await cli(['down', file], env);
    await sweep(ESTATE);
    await rm(dir, { recursive: true, force: true });
  });
  assert.equal((await cli(['up', file], env)).code, 0);
  const state = (await readNetworkState(join(env.ARCHIPEL_STATE_DIR, ESTATE)))!;
  const ns = (address: string) => state.namespaces.find((n) => n.address === address)!;
  const api1 = ns('app/api/par-1/0');
  const api2 = ns('app/api/par-2/0');
  const db1 = ns('db/main/par-1/0');
  const witness = state.namespaces.find((n) => n.role === 'witness')!;
  const server = await listen(api1.name, 8080);
  children.push(server);
  children.push(await listen(witness.name, 2379));
  assert.equal(await connect(api2.name, api1.ip!, 8080), 'open');
  assert.equal(await connect(db1.name, witness.ip!, 2379), 'open');

  // zone-loss: frozen, and silent to the other zone.
  const inject = await cli(['fault', 'inject', 'zone-loss', '--zone', 'par-1', file], env);
  assert.equal(inject.code, 0, inject.stderr);
  const cgroup = join(FREEZER_ROOT, `archipel-${ESTATE}-zone-loss-par-1`);
  assert.equal((await readFile(join(cgroup, 'freezer.state'), 'utf8')).trim(), 'FROZEN');
  assert.ok((await readFile(join(cgroup, 'cgroup.procs'), 'utf8')).split('\n').includes(String(server.pid)));
  assert.equal(await connect(api2.name, api1.ip!, 8080), 'timeout');
  const listed = JSON.parse((await cli(['fault', 'list', file, '--format', 'json'], env)).stdout);
  assert.deepEqual(listed.faults.map((f: { kind: string }) => f.kind), ['zone-loss']);
  assert.equal((await cli(['fault', 'heal', 'zone-loss', file], env)).code, 0);
  assert.equal(existsSync(cgroup), false);
  assert.equal(await connect(api2.name, api1.ip!, 8080), 'open');

  // backbone-cut: cross-zone silent, the witness still reachable from each zone.
  assert.equal((await cli(['fault', 'inject', 'backbone-cut', file], env)).code, 0);
  assert.equal(await connect(api2.name, api1.ip!, 8080), 'timeout');
  assert.equal(await connect(db1.name, witness.ip!, 2379), 'open');
  assert.equal((await cli(['fault', 'heal', 'backbone-cut', file], env)).code, 0);
  assert.equal(await connect(api2.name, api1.ip!, 8080), 'open');

  // witness-loss: the witness silent.
  assert.equal((await cli(['fault', 'inject', 'witness-loss', file], env)).code, 0);
  assert.equal(await connect(db1.name, witness.ip!, 2379), 'timeout');
  assert.equal((await cli(['fault', 'heal', 'witness-loss', file], env)).code, 0);
  assert.equal(await connect(db1.name, witness.ip!, 2379), 'open');

  // instance-crash: the listener killed, the port refused at once.
  const crash = await cli(['fault', 'inject', 'instance-crash', '--instance', 'app/api/par-1/0', file], env);
  assert.equal(crash.code, 0, crash.stderr);
  assert.match(crash.stdout, /1 processes killed/);
  assert.equal(await connect(api2.name, api1.ip!, 8080), 'refused');

  // Unknown kinds and zones are answered with the valid list.
  const bad = await cli(['fault', 'inject', 'meteor', file], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /valid: zone-loss, backbone-cut, witness-loss, instance-crash/);
  const badZone = await cli(['fault', 'inject', 'zone-loss', '--zone', 'mars', file], env);
  assert.equal(badZone.code, 2);
  assert.match(badZone.stderr, /valid: par-1, par-2/);

  assert.equal((await cli(['fault', 'heal', '--all', file], env)).code, 0);
  for (const c of children) c.kill('SIGKILL');
  assert.equal((await cli(['down', file], env)).code, 0);
  assert.deepEqual(await estateNamespaces(ESTATE), []);
  assert.deepEqual((await readdir(FREEZER_ROOT)).filter((n) => n.startsWith(`archipel-${ESTATE}`)), []);
});

test('down during a zone loss: faults healed first, then nothing is left (all layers)', { skip: isRoot() ? false : 'needs root (namespaces, nftables, cgroup freezer)' }, async (t) => {
  const estate = 'e2efdown';
  const dir = await mkdtemp(join(tmpdir(), 'archipel-faults-down-'));
  const env = { ARCHIPEL_STATE_DIR: join(dir, 'state') };
  const file = join(dir, 'estate.yaml');
  await writeFile(file, (await readFile(MINIMAL, 'utf8')).replace(/^estate: minimal$/m, `estate: ${estate}`));
  t.after(async () => {
    await cli(['fault', 'heal', '--all', file], env);
    await cli(['down', file], env);
    await sweep(estate);
    await rm(dir, { recursive: true, force: true });
  });
  const up = await cli(['up', file], env);
  assert.equal(up.code, 0, up.stderr);
  const injected = await cli(['fault', 'inject', 'zone-loss', '--zone', 'par-1', file], env);
  assert.equal(injected.code, 0, injected.stderr);
  assert.match(injected.stdout, /[1-9][0-9]* processes frozen/, 'the running instances of par-1 are frozen');
  const down = await cli(['down', file], env);
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stderr, /faults: 1 healed before removal/);
  assert.deepEqual(await estateNamespaces(estate), []);
  assert.deepEqual((await readdir(FREEZER_ROOT)).filter((n) => n.startsWith(`archipel-${estate}`)), []);
  assert.equal(existsSync(join(env.ARCHIPEL_STATE_DIR, estate)), false, 'the state directory is removed');
});
