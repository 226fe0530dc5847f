/**
 * End to end (root): the compute layer on minimal.yaml (renamed e2ecomp, plus a `crashy` application whose
 * command exits at once), over the real network layer. Instances answer their name through their IP from
 * namespaces allowed by a flow, and an undeclared one is refused; from inside an instance the uid is the
 * application's, no capability is left, and /run/netns, archipel's state and other applications' data are
 * invisible; `archipel exec` and `archipel logs` work; a supervisor killed with -9 is replaced by the next
 * `up` without duplicating instances; the crashing command is reported crash-looping and left down, not
 * restarted forever; down leaves no process, no file and (with the network layer) no namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseEstateText } from '../../src/pipeline.ts';
import type { CompiledEstate } from '../../src/compile/types.ts';
import { run } from '../../src/runtime/local/run.ts';
import { localNames } from '../../src/runtime/local/network/names.ts';
import { networkLayer } from '../../src/runtime/local/network/layer.ts';
import { secretsLayer } from '../../src/runtime/local/secrets/layer.ts';
import { computeLayer, ComputeNotReadyError, existingSecretsDir, hostLayout, instancePaths } from '../../src/runtime/local/compute/layer.ts';
import { computePaths, readComputeState } from '../../src/runtime/local/compute/state.ts';
import { findLayerProcesses, findRunsvdirs, killPids, serviceStatus } from '../../src/runtime/local/compute/supervisor.ts';
import { isolationArgv } from '../../src/runtime/local/compute/service.ts';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/command.ts';
import { estateNamespaces, isRoot, sweep } from './helpers.ts';

const ESTATE = 'e2ecomp';
const CRASHY = `  crashy:
    tier: standard
    instances: 1
    zones: [par-1]
    run: [/bin/sh, -c, "echo crashing as uid $(id -u); exit 3"]
    port: 7070
    health: { tcp: true }
`;

async function compiledEstate(): Promise<CompiledEstate> {
  const text = (await readFile('examples/minimal.yaml', 'utf8')).replace(/^estate: minimal$/m, `estate: ${ESTATE}`).replace(/^applications:\n/m, `applications:\n${CRASHY}`);
  const analysis = analyseEstateText(text, 'minimal+crashy.yaml');
  assert.ok(analysis.compiled, JSON.stringify(analysis.diagnostics));
  return analysis.compiled;
}

function without(compiled: CompiledEstate, app: string): CompiledEstate {
  return { ...compiled, instances: compiled.instances.filter((i) => i.owner !== `app/${app}`) };
}

async function inNs(ns: string, command: string[]): Promise<string> {
  return (await run(['nsenter', `--net=/run/netns/${ns}`, '--', ...command], { timeoutMs: 10_000 })).stdout;
}

/** busybox httpd processes inside a namespace (the built-in workload). */
async function httpdCount(ns: string): Promise<number> {
  const { stdout } = await run(['ip', 'netns', 'pids', ns]);
  let count = 0;
  for (const pid of stdout.split('\n').filter(Boolean)) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.startsWith('/usr/bin/busybox\0httpd')) count++;
  }
  return count;
}

test('compute layer: isolated, supervised instances that survive their supervisor and leave nothing', { skip: isRoot() ? false : 'needs root (namespaces, uids)' }, async (t) => {
  const full = await compiledEstate();
  const compiled = without(full, 'crashy');
  const names = localNames(ESTATE);
  const stateRoot = await mkdtemp(join(tmpdir(), 'archipel-e2ecomp-'));
  const stateDir = join(stateRoot, ESTATE);
  const log = (m: string) => t.diagnostic(m);
  const ctx = { compiled, stateDir, log };
  t.after(async () => {
    await computeLayer.down({ stateDir, estate: ESTATE, log }).catch(() => undefined);
    await secretsLayer.down({ stateDir, estate: ESTATE, log }).catch(() => undefined);
    await networkLayer.down({ stateDir, estate: ESTATE, log }).catch(() => undefined);
    await sweep(ESTATE);
    await rm(stateRoot, { recursive: true, force: true });
  });
  const cli = async (args: string[]) => {
    let out = '';
    let err = '';
    const io: Io = { out: (s) => void (out += s), err: (s) => void (err += s), cwd: process.cwd(), env: { ...process.env, ARCHIPEL_STATE_DIR: stateRoot } };
    return { code: await main(args, io), out, err };
  };
  assert.deepEqual(await computeLayer.preconditions(), []);
  await networkLayer.up({ ...ctx, compiled: full });
  await secretsLayer.up(ctx);

  const apps = compiled.instances.filter((i) => i.ownerKind === 'app');
  assert.deepEqual((await computeLayer.plan(ctx)).map((a) => a.action), apps.map(() => 'create'));
  // The first `up` runs in a separate process that then dies with SIGKILL, as a crashed archipel would:
  // the supervisor it started lives on (its own session), and the next `up` adopts it.
  const layerModule = new URL('../../src/runtime/local/compute/layer.ts', import.meta.url).href;
  const child = `import { computeLayer } from ${JSON.stringify(layerModule)};
let input = '';
for await (const chunk of process.stdin) input += chunk;
const { compiled, stateDir } = JSON.parse(input);
await computeLayer.up({ compiled, stateDir, log: () => {} });
process.kill(process.pid, 'SIGKILL');`;
  await assert.rejects(run([process.execPath, '--import', 'tsx', '--input-type=module', '-e', child], { input: JSON.stringify({ compiled, stateDir }), timeoutMs: 60_000 }), /killed by SIGKILL/);
  const paths = computePaths(stateDir);
  const [orphaned] = await findRunsvdirs(paths.sv);
  assert.ok(orphaned, 'the supervisor outlives the process that started it');
  await computeLayer.up(ctx);
  assert.deepEqual(await findRunsvdirs(paths.sv), [orphaned]);
  for (const i of apps) assert.equal(await httpdCount(names.instance(i.address)), 1, i.address);
  assert.deepEqual((await computeLayer.plan(ctx)).map((a) => a.action), apps.map(() => 'keep'));

  // Every instance answers its name through its IP: from its peer in the other zone (same network), and
  // api from web and worker (declared flows); api -> web is not declared and is refused.
  const at = (app: string, zone: string) => apps.find((i) => i.owner === `app/${app}` && i.zone === zone)!;
  const get = (from: string, ip: string, port: number, path = '/') => inNs(names.instance(from), ['busybox', 'wget', '-q', '-O', '-', `http://${ip}:${port}${path}`]);
  for (const i of apps) {
    const peer = at(i.owner.slice(4), i.zone === 'par-1' ? 'par-2' : 'par-1');
    assert.equal(await get(peer.address, i.ip, i.ports[0]!.port), `${i.address}\n`);
  }
  for (const zone of ['par-1', 'par-2']) {
    assert.equal(await get(at('web', 'par-1').address, at('api', zone).ip, 8080), `${at('api', zone).address}\n`);
    assert.equal(await get(at('worker', 'par-2').address, at('api', zone).ip, 8080, '/healthz'), 'ok\n');
  }
  await assert.rejects(get(at('api', 'par-1').address, at('web', 'par-1').ip, 8080));

  // Isolation, seen from inside an instance (the chain `archipel exec` uses).
  const state = (await readComputeState(stateDir))!;
  const webInstance = state.instances.find((i) => i.address === at('web', 'par-1').address)!;
  const apiInstance = state.instances.find((i) => i.address === at('api', 'par-1').address)!;
  const probe = 'id -u; grep -E "CapEff|NoNewPrivs" /proc/self/status; ls /run/netns /var/lib/archipel "$1" "$2" 2>&1; ls /data /; ls /proc | grep -c "^[0-9]"';
  const argv = [
    ...isolationArgv(webInstance, instancePaths(paths, webInstance), await hostLayout(), { supervised: false }),
    '/bin/sh', '-c', probe, 'sh', stateDir, instancePaths(paths, apiInstance).data,
  ];
  const inside = (await run(argv)).stdout;
  assert.match(inside, new RegExp(`^${webInstance.uid}\n`));
  assert.match(inside, /CapEff:\s+0000000000000000/);
  assert.match(inside, /NoNewPrivs:\s+1/);
  for (const hidden of ['/run/netns', '/var/lib/archipel', stateDir, instancePaths(paths, apiInstance).data]) {
    assert.ok(inside.includes(`ls: cannot access '${hidden}': No such file or directory`), `${hidden} visible:\n${inside}`);
  }
  assert.notEqual(webInstance.uid, apiInstance.uid);
  // Secrets: api (a database client) reads its own under /run/secrets; web has none mounted.
  const apiSecrets = await existingSecretsDir(stateDir, apiInstance.address);
  assert.ok(apiSecrets);
  const apiArgv = isolationArgv(apiInstance, instancePaths(paths, apiInstance, apiSecrets), await hostLayout(), { supervised: false });
  const listed = (await run([...apiArgv, '/bin/sh', '-c', 'for f in "$SECRETS_DIR"/*; do cat "$f" >/dev/null && echo "$f"; done; true'])).stdout;
  assert.match(listed, /^\/run\/secrets\/\S+$/m, listed);
  assert.match(inside, /ls: cannot access '\/run\/netns'/);
  assert.equal((await run([...argv.slice(0, argv.indexOf('/bin/sh')), '/bin/sh', '-c', 'test -e /run/secrets && echo present || echo absent'])).stdout, 'absent\n');
  // The workload itself runs as the application's uid, one process per instance.
  const { stdout: pids } = await run(['ip', 'netns', 'pids', webInstance.namespace]);
  const uids = new Set<number>();
  for (const pid of pids.split('\n').filter(Boolean)) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.startsWith('/usr/bin/busybox\0httpd')) uids.add(Number(/^Uid:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]));
  }
  assert.deepEqual([...uids], [webInstance.uid]);

  // archipel exec: the same isolation, exit code passed through; archipel logs: per-instance lines.
  const check = `test "$(id -u)" = ${webInstance.uid} && test "$INSTANCE" = ${webInstance.address} && test ! -e /run/netns && exit 7`;
  assert.equal((await cli(['exec', '--estate', ESTATE, webInstance.service, '--', '/bin/sh', '-c', check])).code, 7);
  assert.equal((await cli(['exec', '--estate', ESTATE, 'nope', '--', 'true'])).code, 2);
  const logs = await cli(['logs', '--estate', ESTATE, 'web', '--format', 'json']);
  assert.equal(logs.code, 0, logs.err);
  assert.deepEqual(JSON.parse(logs.out).logs.map((l: { instance: string }) => l.instance), [at('web', 'par-1').address, at('web', 'par-2').address]);

  // The supervisor itself dies (kill -9): instances keep serving; the next `up` starts one supervisor and
  // hands the orphaned services over to it: no duplicate instance. A second `up` adopts it.
  const [supervisor] = await findRunsvdirs(paths.sv);
  assert.ok(supervisor);
  killPids([supervisor], 'SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(await get(at('web', 'par-2').address, webInstance.ip, 8080), `${webInstance.address}\n`);
  for (let round = 0; round < 2; round++) {
    await computeLayer.up(ctx);
    assert.equal((await findRunsvdirs(paths.sv)).length, 1);
    for (const i of apps) assert.equal(await httpdCount(names.instance(i.address)), 1, i.address);
  }

  // A command that exits at once: reported crash-looping, then left down (no restart).
  const crashy = full.instances.find((i) => i.owner === 'app/crashy')!;
  await assert.rejects(computeLayer.up({ ...ctx, compiled: full }), (error: unknown) => error instanceof ComputeNotReadyError && error.crashLoop.includes(crashy.address));
  const crashDir = join(paths.sv, 'crashy.par-1.0');
  const first = await serviceStatus(crashDir);
  assert.equal(first.crashLoop, true);
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const later = await serviceStatus(crashDir);
  assert.equal(later.state, 'down');
  assert.equal(later.restarts, first.restarts, 'no restart after the crash loop was detected');
  const crashLogs = await cli(['logs', '--estate', ESTATE, 'crashy', '--lines', '3']);
  assert.equal(crashLogs.code, 0, crashLogs.err);
  assert.match(crashLogs.out, /^app\/crashy\/par-1\/0 \| \S+ crashing as uid \d+$/m);

  // Converge: removing an application stops and removes only it; the supervisor stays the same.
  const supervisorBefore = await findRunsvdirs(paths.sv);
  await computeLayer.up({ ...ctx, compiled: without(compiled, 'worker') });
  assert.deepEqual(await findRunsvdirs(paths.sv), supervisorBefore);
  for (const i of apps) assert.equal(await httpdCount(names.instance(i.address)), i.owner === 'app/worker' ? 0 : 1, i.address);

  // Down leaves nothing: no process of the layer, no supervisor, no file; then the network goes too.
  const inodes = new Set<number>();
  for (const i of full.instances) inodes.add(Number((await run(['stat', '-c', '%i', `/run/netns/${names.instance(i.address)}`])).stdout.trim()));
  const allUids = new Set(Object.values((await readComputeState(stateDir))!.uids));
  await computeLayer.down({ stateDir, estate: ESTATE, log });
  assert.deepEqual(await findLayerProcesses(paths.root, paths.sv, allUids, inodes), []);
  for (const i of full.instances) assert.equal((await run(['ip', 'netns', 'pids', names.instance(i.address)])).stdout, '', i.address);
  assert.equal(await readComputeState(stateDir), undefined);
  await assert.rejects(readdir(paths.root), { code: 'ENOENT' });
  await networkLayer.down({ stateDir, estate: ESTATE, log });
  assert.deepEqual(await estateNamespaces(ESTATE), []);
});
