/**
 * End to end (root): the estate daemon on a real network (minimal.yaml renamed e2edmn, brought up by the
 * network and compute layers). Status over the socket shows both zones' firewall counters, a denied flow
 * provoked by the test, and every instance's pid, health and restarts; `archipel status` uses the daemon;
 * a second ensureDaemon adopts; kill -9 then ensureDaemon leaves exactly one daemon and the same instance
 * processes; a daemon started by hand next to a live one exits; stop leaves no process, no socket, no pid
 * file, and status falls back to the state files. Secrets materialised for one uid are readable by that
 * uid only. A daemon whose state directory disappears exits. Start time and PSS are test diagnostics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseEstateText } from '../../src/pipeline.ts';
import { networkLayer } from '../../src/runtime/local/network/layer.ts';
import { computeLayer } from '../../src/runtime/local/compute/index.ts';
import { stateDirFor } from '../../src/runtime/local/state-dir.ts';
import { DAEMON_MAIN, daemonPaths, ensureDaemon, findDaemonProcesses, requestDaemon, stopDaemon } from '../../src/runtime/local/daemon/control.ts';
import type { EstateStatus } from '../../src/runtime/local/daemon/status.ts';
import { daemonLayer } from '../../src/runtime/local/daemon/layer.ts';
import { materialiseInstanceSecrets, secretsLayer } from '../../src/runtime/local/secrets/layer.ts';
import { run } from '../../src/runtime/local/run.ts';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/command.ts';
import { connect, isRoot, sweep } from './helpers.ts';

const ESTATE = 'e2edmn';

async function pssKb(pid: number): Promise<number> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1]);
}

test('the daemon serves status over its socket, is adopted, replaced after kill -9, and stops cleanly', { skip: isRoot() ? false : 'needs root (namespaces, nft)', timeout: 60_000 }, async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'archipel-e2e-daemon-'));
  const env = { ARCHIPEL_STATE_DIR: root };
  const text = (await readFile(new URL('../../examples/minimal.yaml', import.meta.url), 'utf8')).replace(/^estate: minimal$/m, `estate: ${ESTATE}`);
  const analysis = analyseEstateText(text, 'minimal.yaml');
  assert.ok(analysis.compiled, 'minimal.yaml compiles');
  const compiled = analysis.compiled;
  const stateDir = await stateDirFor(ESTATE, env);
  const log = (m: string) => t.diagnostic(m);
  t.after(async () => {
    await stopDaemon(stateDir).catch(() => undefined);
    await computeLayer.down({ stateDir, estate: ESTATE, log }).catch(() => undefined);
    await secretsLayer.down({ stateDir, estate: ESTATE, log }).catch(() => undefined);
    await networkLayer.down({ stateDir, estate: ESTATE, log }).catch(() => undefined);
    await sweep(ESTATE);
    await rm(root, { recursive: true, force: true });
  });
  // The layers in the order `archipel up` runs them (the daemon last, below).
  await networkLayer.up({ compiled, stateDir, log: () => undefined });
  await secretsLayer.up({ compiled, stateDir, log: () => undefined });
  await computeLayer.up({ compiled, stateDir, log: () => undefined });

  // An undeclared flow (web -> worker) is refused and lands in the zone router's @denied set.
  const ns = JSON.parse(await readFile(join(stateDir, 'network.json'), 'utf8')) as { namespaces: { name: string; address: string; ip?: string }[] };
  const web = ns.namespaces.find((n) => n.address === 'app/web/par-1/0')!;
  const worker = ns.namespaces.find((n) => n.address === 'app/worker/par-1/0')!;
  assert.equal(await connect(web.name, worker.ip!, 9090), 'filtered');

  const first = await ensureDaemon(stateDir, ESTATE, { checkIntervalMs: 500 });
  assert.equal(first.adopted, false);
  t.diagnostic(`daemon start (spawn to first answer): ${first.startMs} ms; PSS ${await pssKb(first.pid)} kB`);
  const paths = daemonPaths(stateDir);
  assert.equal((await stat(paths.socket)).mode & 0o777, 0o600);
  assert.equal(Number((await readFile(paths.pid, 'utf8')).trim()), first.pid);

  const status = await requestDaemon<EstateStatus>(stateDir, '/status', 10_000);
  assert.equal(status.source, 'daemon');
  assert.equal(status.up, true);
  assert.deepEqual(status.problems, []);
  assert.deepEqual(status.zones.map((z) => z.zone), ['par-1', 'par-2']);
  const par1 = status.zones[0]!;
  assert.ok(par1.counters?.denied && par1.counters.denied.packets >= 1, 'the denied counter counted the refused connection');
  assert.ok((par1.deniedFlows ?? 0) >= 1, 'the denied flow is in the @denied set');
  assert.equal(status.instances.length, compiled.instances.length);
  assert.equal(status.compute, true);
  const apps = status.instances.filter((i) => i.owner.startsWith('app/'));
  assert.ok(apps.length > 0 && apps.every((i) => i.health === 'healthy' && typeof i.pid === 'number' && i.restarts === 0), 'pid, health and restarts of every application instance');
  const pidsBefore = apps.map((i) => i.pid);

  const out: string[] = [];
  const io: Io = { out: (s) => out.push(s), err: () => undefined, cwd: root, env };
  assert.equal(await main(['status', '--estate', ESTATE, '--format', 'json'], io), 0);
  assert.equal(JSON.parse(out.join('')).source, 'daemon', JSON.parse(out.join('')).daemonNote);

  const again = await ensureDaemon(stateDir, ESTATE);
  assert.deepEqual([again.adopted, again.pid], [true, first.pid]);

  // A daemon started by hand next to a live one sees it answer and exits instead of stealing the socket.
  const intruder = spawn(process.execPath, ['--import', 'tsx', DAEMON_MAIN, '--state-dir', stateDir, '--estate', ESTATE], { stdio: 'ignore', cwd: new URL('../..', import.meta.url).pathname });
  const code = await new Promise<number | null>((resolve) => intruder.on('exit', resolve));
  assert.equal(code, 3);
  assert.deepEqual(await findDaemonProcesses(stateDir), [first.pid]);

  process.kill(first.pid, 'SIGKILL');
  const second = await ensureDaemon(stateDir, ESTATE);
  assert.equal(second.adopted, false);
  assert.notEqual(second.pid, first.pid);
  assert.deepEqual(await findDaemonProcesses(stateDir), [second.pid]);
  assert.equal((await requestDaemon<{ pid: number }>(stateDir, '/health')).pid, second.pid);
  // Instances are runit's, not the daemon's: they kept running, the same processes, through its death.
  const after = await requestDaemon<EstateStatus>(stateDir, '/status', 10_000);
  assert.deepEqual(after.instances.filter((i) => i.owner.startsWith('app/')).map((i) => i.pid), pidsBefore);
  assert.equal(after.healthy, true);

  // `archipel up` and `down` reach the daemon as a layer: a live one is kept, down stops it.
  assert.deepEqual((await daemonLayer.plan({ compiled, stateDir, log })).map((a) => a.action), ['keep']);
  await daemonLayer.down({ stateDir, estate: ESTATE, log });
  assert.deepEqual(await findDaemonProcesses(stateDir), []);
  await assert.rejects(stat(paths.socket), { code: 'ENOENT' });
  await assert.rejects(stat(paths.pid), { code: 'ENOENT' });
  out.length = 0;
  assert.equal(await main(['status', '--estate', ESTATE, '--format', 'json'], io), 0);
  const fallback = JSON.parse(out.join(''));
  assert.deepEqual([fallback.source, fallback.daemonNote], ['state-files', 'no daemon running']);
});

test('materialised secrets are readable by their uid only', { skip: isRoot() ? false : 'needs root (chown, setpriv)', timeout: 30_000 }, async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'archipel-e2e-secrets-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const text = (await readFile(new URL('../../examples/minimal.yaml', import.meta.url), 'utf8')).replace(/^estate: minimal$/m, `estate: ${ESTATE}`);
  const compiled = analyseEstateText(text, 'minimal.yaml').compiled!;
  const stateDir = join(root, ESTATE);
  await secretsLayer.up({ compiled, stateDir, log: () => undefined });
  const dir = await materialiseInstanceSecrets(compiled, stateDir, 'app/api/par-1/0', 200701);
  const file = join(dir, 'db.main.api.password');
  // The instance reaches its directory through a bind mount; here the test opens the path to it directly.
  await run(['chmod', '0711', root, stateDir, join(stateDir, 'instance-secrets')]);
  const as = (uid: number) => ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', 'cat', file];
  const read = await run(as(200701));
  assert.equal(read.stdout, (await readFile(file, 'utf8')));
  await assert.rejects(run(as(200702)), /Permission denied/);
  // No secret value in the files an operator or a renderer might show.
  const stored = await readFile(join(stateDir, 'secrets', 'store.json'), 'utf8');
  assert.ok(!stored.includes(read.stdout));
});

test('a daemon whose state directory disappears exits by itself', { skip: isRoot() ? false : 'needs root', timeout: 30_000 }, async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'archipel-e2e-orphan-'));
  const stateDir = join(root, ESTATE);
  t.after(async () => {
    await stopDaemon(stateDir).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });
  await run(['mkdir', '-m', '0700', stateDir]);
  const daemon = await ensureDaemon(stateDir, ESTATE, { checkIntervalMs: 200 });
  await rm(stateDir, { recursive: true, force: true });
  for (let i = 0; i < 200 && (await findDaemonProcesses(stateDir)).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(await findDaemonProcesses(stateDir), [], `daemon ${daemon.pid} still running`);
});
