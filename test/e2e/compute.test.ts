/**
 * End to end (root): the compute layer on a small estate. Instances answer their name through their IP from
 * another namespace; from inside an instance the uid is the application's, no capability is left, and
 * /run/netns, archipel's state and other applications' data are invisible; a killed supervisor is replaced
 * without duplicating instances; a command that exits at once is reported crash-looping, not restarted
 * forever; down leaves no process and no file.
 *
 * The network here is a minimal stand-in built by the test (instance namespaces named by the network
 * layer's naming scheme, one bridge, 198.18.x addresses), deleted at the end whatever happens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompiledEstate, Instance } from '../../src/compile/types.ts';
import { run } from '../../src/runtime/local/run.ts';
import { localNames } from '../../src/runtime/local/network/names.ts';
import { computeLayer, ComputeNotReadyError, hostLayout, instancePaths } from '../../src/runtime/local/compute/layer.ts';
import { computePaths, readComputeState } from '../../src/runtime/local/compute/state.ts';
import { findLayerProcesses, findRunsvdirs, killPids, serviceStatus } from '../../src/runtime/local/compute/supervisor.ts';
import { isolationArgv } from '../../src/runtime/local/compute/service.ts';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/command.ts';

const ESTATE = 'e2ecomp';
const root = process.getuid?.() === 0;

function instance(app: string, octet: number, port: number, health: Instance['health'], runCommand?: string[]): Instance {
  return {
    address: `app/${app}/par-1/0`,
    owner: `app/${app}`,
    ownerKind: 'app',
    zone: 'par-1',
    index: 0,
    network: `net/app/${app}`,
    ip: `198.18.200.${octet}`,
    ports: [{ port, protocol: 'tcp', name: 'main' }],
    ...(runCommand ? { run: runCommand } : {}),
    ...(health ? { health } : {}),
  };
}

function estate(instances: Instance[]): CompiledEstate {
  // Only what the compute layer reads is filled in.
  return {
    format: 1,
    estate: ESTATE,
    pool: '198.18.0.0/15',
    zones: [{ name: 'par-1', index: 0, address: 'zone/par-1' }],
    infrastructure: [],
    networks: [],
    instances,
    flows: [],
    firewalls: { privateNetworksPerFirewall: 20, zones: [], units: 0 },
    frontends: [],
    data: { databases: [], caches: [] },
    buckets: [],
    backups: { levels: [], items: [] },
    access: { groups: [], users: [] },
    objectives: [],
  };
}

const web = instance('web', 11, 8080, { http: '/healthz', intervalMs: 1000 });
const api = instance('api', 12, 8080, { http: '/healthz', intervalMs: 1000 });
const worker = instance('worker', 13, 9090, { tcp: true, intervalMs: 1000 });
const crashy = instance('crashy', 14, 8080, { tcp: true, intervalMs: 1000 }, ['/bin/sh', '-c', 'echo crashing as uid $(id -u); exit 3']);
const names = localNames(ESTATE);
const bridgeNs = names.router('par-1');

async function networkUp(instances: Instance[]): Promise<void> {
  const lines = [`netns add ${bridgeNs}`];
  for (const i of instances) lines.push(`netns add ${names.instance(i.address)}`);
  await run(['ip', '-batch', '-'], { input: `${lines.join('\n')}\n` });
  const bridge = ['link add br0 type bridge', 'link set br0 up', 'link set lo up'];
  await run(['ip', '-n', bridgeNs, '-batch', '-'], { input: `${bridge.join('\n')}\n` });
  for (const [n, i] of instances.entries()) {
    const ns = names.instance(i.address);
    await run(['ip', '-n', bridgeNs, 'link', 'add', `v${n}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await run(['ip', '-n', bridgeNs, '-batch', '-'], { input: `link set v${n} master br0\nlink set v${n} up\n` });
    await run(['ip', '-n', ns, '-batch', '-'], { input: `link set lo up\nlink set eth0 up\naddr add ${i.ip}/24 dev eth0\n` });
  }
}

async function networkDown(instances: Instance[]): Promise<void> {
  const lines = [bridgeNs, ...instances.map((i) => names.instance(i.address))].map((ns) => `netns del ${ns}`);
  await run(['ip', '-force', '-batch', '-'], { input: `${lines.join('\n')}\n` }).catch(() => undefined);
}

async function inNs(ns: string, command: string[]): Promise<string> {
  return (await run(['nsenter', `--net=/run/netns/${ns}`, '--', ...command], { timeoutMs: 10_000 })).stdout;
}

/** Processes (pid) per instance namespace whose command is busybox httpd. */
async function httpdCount(ns: string): Promise<number> {
  const { stdout } = await run(['ip', 'netns', 'pids', ns]);
  let count = 0;
  for (const pid of stdout.split('\n').filter(Boolean)) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.startsWith('/usr/bin/busybox\0httpd')) count++;
  }
  return count;
}

test('compute layer: isolated, supervised instances that survive their supervisor and leave nothing', { skip: root ? false : 'needs root (namespaces, uids)' }, async (t) => {
  const all = [web, api, worker, crashy];
  const stateRoot = await mkdtemp(join(tmpdir(), 'archipel-e2ecomp-'));
  const stateDir = join(stateRoot, ESTATE);
  const log = (m: string) => t.diagnostic(m);
  const ctx = { compiled: estate([web, api, worker]), stateDir, log };
  t.after(async () => {
    await computeLayer.down({ stateDir, estate: ESTATE, log }).catch(() => undefined);
    await networkDown(all);
    await rm(stateRoot, { recursive: true, force: true });
  });
  const cli = async (args: string[]) => {
    let out = '';
    let err = '';
    const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: process.cwd(), env: { ...process.env, ARCHIPEL_STATE_DIR: stateRoot } };
    const code = await main(args, io);
    return { code, out, err };
  };
  assert.deepEqual(await computeLayer.preconditions(), []);
  await networkUp(all);

  assert.deepEqual((await computeLayer.plan(ctx)).map((a) => a.action), ['create', 'create', 'create']);
  await computeLayer.up(ctx);
  assert.deepEqual((await computeLayer.plan(ctx)).map((a) => a.action), ['keep', 'keep', 'keep']);

  // Every instance answers its name, through its IP, from another namespace.
  const from = names.instance(worker.address);
  assert.equal(await inNs(from, ['busybox', 'wget', '-q', '-O', '-', `http://${web.ip}:8080/`]), `${web.address}\n`);
  assert.equal(await inNs(from, ['busybox', 'wget', '-q', '-O', '-', `http://${api.ip}:8080/healthz`]), 'ok\n');
  assert.equal(await inNs(names.instance(web.address), ['busybox', 'wget', '-q', '-O', '-', `http://${worker.ip}:9090/`]), `${worker.address}\n`);

  // Isolation, seen from inside an instance (the same chain `archipel exec` uses).
  const state = (await readComputeState(stateDir))!;
  const webInstance = state.instances.find((i) => i.address === web.address)!;
  const apiInstance = state.instances.find((i) => i.address === api.address)!;
  const paths = computePaths(stateDir);
  const probe = [
    'id -u; grep CapEff /proc/self/status; ls /run/netns 2>&1; ls /var/lib/archipel 2>&1',
    `ls "$1" 2>&1; ls "$2" 2>&1; ls /data; cat /proc/self/status | grep NoNewPrivs`,
  ].join('; ');
  const argv = [
    ...isolationArgv(webInstance, instancePaths(paths, webInstance), await hostLayout(), { supervised: false }),
    '/bin/sh', '-c', probe, 'sh', stateDir, instancePaths(paths, apiInstance).data,
  ];
  const inside = (await run(argv)).stdout;
  assert.match(inside, new RegExp(`^${webInstance.uid}\n`));
  assert.match(inside, /CapEff:\s+0000000000000000/);
  assert.match(inside, /ls: cannot access '\/run\/netns': No such file or directory/);
  assert.match(inside, /ls: cannot access '\/var\/lib\/archipel': No such file or directory/);
  assert.ok(inside.includes(`ls: cannot access '${stateDir}': No such file or directory`), inside);
  assert.ok(inside.includes(`ls: cannot access '${instancePaths(paths, apiInstance).data}': No such file or directory`), inside);
  assert.match(inside, /NoNewPrivs:\s+1/);
  assert.notEqual(webInstance.uid, apiInstance.uid);
  // The instance process itself runs as the application's uid.
  const { stdout: pids } = await run(['ip', 'netns', 'pids', names.instance(web.address)]);
  const uids = new Set<number>();
  for (const pid of pids.split('\n').filter(Boolean)) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.startsWith('/usr/bin/busybox\0httpd')) uids.add(Number(/^Uid:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]));
  }
  assert.deepEqual([...uids], [webInstance.uid]);

  // archipel exec: the same isolation, exit code passed through; archipel logs: prefixed lines.
  const check = `test "$(id -u)" = ${webInstance.uid} && test "$INSTANCE" = ${web.address} && test ! -e /run/netns && exit 7`;
  assert.equal((await cli(['exec', '--estate', ESTATE, 'web.par-1.0', '--', '/bin/sh', '-c', check])).code, 7);
  assert.equal((await cli(['exec', '--estate', ESTATE, 'nope', '--', 'true'])).code, 2);
  const logs = await cli(['logs', '--estate', ESTATE, 'web', '--format', 'json']);
  assert.equal(logs.code, 0, logs.err);
  assert.deepEqual(JSON.parse(logs.out).logs.map((l: { instance: string }) => l.instance), [web.address]);

  // The supervisor dies (kill -9); instances keep serving; the next `up` adopts them: no duplicates.
  const [supervisor] = await findRunsvdirs(paths.sv);
  assert.ok(supervisor);
  killPids([supervisor], 'SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(await inNs(from, ['busybox', 'wget', '-q', '-O', '-', `http://${web.ip}:8080/`]), `${web.address}\n`);
  await computeLayer.up(ctx);
  assert.equal((await findRunsvdirs(paths.sv)).length, 1);
  for (const i of [web, api, worker]) assert.equal(await httpdCount(names.instance(i.address)), 1, i.address);
  // up again with a live supervisor: adopted, still one of each.
  await computeLayer.up(ctx);
  assert.equal((await findRunsvdirs(paths.sv)).length, 1);
  for (const i of [web, api, worker]) assert.equal(await httpdCount(names.instance(i.address)), 1, i.address);

  // A command that exits at once: reported crash-looping, then left down.
  const withCrashy = { ...ctx, compiled: estate([web, api, worker, crashy]) };
  await assert.rejects(computeLayer.up(withCrashy), (error: unknown) => error instanceof ComputeNotReadyError && error.crashLoop.includes(crashy.address));
  const crashDir = join(paths.sv, 'crashy.par-1.0');
  const first = await serviceStatus(crashDir);
  assert.equal(first.crashLoop, true);
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const later = await serviceStatus(crashDir);
  assert.equal(later.state, 'down');
  assert.equal(later.exits, first.exits, 'no restart after the crash loop was detected');

  // Logs: what a crashing command says reaches svlogd's files, shown per instance.
  const crashLogs = await cli(['logs', '--estate', ESTATE, 'crashy', '--lines', '3']);
  assert.equal(crashLogs.code, 0, crashLogs.err);
  assert.match(crashLogs.out, /^app\/crashy\/par-1\/0 \| \S+ crashing as uid \d+$/m);

  // Converge: removing an application stops and removes only it.
  await assert.rejects(computeLayer.up({ ...ctx, compiled: estate([web, worker, crashy]) }), ComputeNotReadyError);
  assert.equal(await httpdCount(names.instance(api.address)), 0);
  assert.equal(await httpdCount(names.instance(web.address)), 1);

  // Down leaves nothing: no process of the layer, no runsvdir, no files.
  const inodes = new Set<number>();
  for (const i of all) {
    const { stdout } = await run(['stat', '-c', '%i', `/run/netns/${names.instance(i.address)}`]);
    inodes.add(Number(stdout.trim()));
  }
  const allUids = new Set(Object.values((await readComputeState(stateDir))!.uids));
  await computeLayer.down({ stateDir, estate: ESTATE, log });
  assert.deepEqual(await findLayerProcesses(paths.root, paths.sv, allUids, inodes), []);
  for (const i of all) assert.equal((await run(['ip', 'netns', 'pids', names.instance(i.address)])).stdout, '');
  assert.equal(await readComputeState(stateDir), undefined);
  await assert.rejects(readdir(paths.root), { code: 'ENOENT' });
});
