/**
 * The local target's edge layer: one HAProxy per zone inside the zone's edge namespace (configuration from
 * src/render/haproxy.ts, as is), and the estate's entry point, a host HAProxy on 127.0.0.1:PORT whose servers
 * are the zone edges reached in their namespaces (`namespace NS` per server).
 *
 * Each HAProxy runs master-worker in the foreground (`-W -db`) under its own runit `runsv` (started detached,
 * so it survives archipel), which restarts it within a second if it dies; a changed configuration is applied
 * by SIGUSR2 to the master (hitless reload: old workers finish their connections), an unchanged one is kept. State `<stateDir>/edge.json` is written BEFORE any process starts (write-ahead); `down` stops
 * what it records and then every haproxy whose command line names a configuration under `<stateDir>/edge`
 * (found by what it is, not by remembered pids alone), and removes the files.
 */
import { chmod, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { CompiledEstate } from '../../../compile/types.ts';
import { renderEdgeConfig } from '../../../render/haproxy.ts';
import type { Layer, LayerContext, PlannedAction } from '../layer.ts';
import { run } from '../run.ts';
import { RUN_SCRIPT } from '../compute/service.ts';
import { spawn } from 'node:child_process';
import { readNetworkState } from '../network/state.ts';
import { DEFAULT_ENTRY_PORT, hashOf, parsePort, planProxies, renderEntryConfig, type EdgeState, type EdgeTarget, type ProxyRecord } from './config.ts';

export const HAPROXY = '/usr/sbin/haproxy';
export const EDGE_STATE_FILE = 'edge.json';
export const ENTRY_ADDRESS = 'entry';

export function edgeDir(stateDir: string): string {
  return join(stateDir, 'edge');
}

/** The recorded edge state (entry port, proxies), or undefined when the layer is not up: for summaries and status. */
export async function readEdgeState(stateDir: string): Promise<EdgeState | undefined> {
  try {
    return JSON.parse(await readFile(join(stateDir, EDGE_STATE_FILE), 'utf8')) as EdgeState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Atomic write (temporary file + rename): a crash never leaves a half-written file. */
async function writeAtomic(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content, { mode: 0o600 });
  await chmod(`${path}.tmp`, 0o600);
  await rename(`${path}.tmp`, path);
}

async function writeState(stateDir: string, state: EdgeState): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const sorted = { ...state, proxies: [...state.proxies].sort((a, b) => (a.address < b.address ? -1 : 1)) };
  await writeAtomic(join(stateDir, EDGE_STATE_FILE), `${JSON.stringify(sorted, null, 2)}\n`);
}

/** The edges of the estate as the network layer created them (namespace and ip of each edge/ZONE). */
async function edgeTargets(stateDir: string, compiled: CompiledEstate): Promise<EdgeTarget[]> {
  const network = await readNetworkState(stateDir);
  if (!network) throw new Error('edge: the network layer has no state for this estate (run the network layer first)');
  return compiled.zones.map((z) => {
    const ns = network.namespaces.find((n) => n.role === 'edge' && n.address === `edge/${z.name}`);
    if (!ns?.ip) throw new Error(`edge: no edge namespace recorded for zone ${z.name}`);
    return { zone: z.name, namespace: ns.name, ip: ns.ip };
  });
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** The port recorded at a previous up, else ARCHIPEL_ENTRY_PORT, else 8480 if free, else any free port. */
async function choosePort(recorded: EdgeState | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  if (recorded) return recorded.entryPort;
  const wanted = parsePort(env.ARCHIPEL_ENTRY_PORT);
  if (wanted !== undefined) return wanted;
  return (await portFree(DEFAULT_ENTRY_PORT)) ? DEFAULT_ENTRY_PORT : anyFreePort();
}

/** Desired proxies and their configuration text (files are not written here). */
async function desired(ctx: LayerContext, port: number): Promise<{ record: ProxyRecord; text: string }[]> {
  const edges = await edgeTargets(ctx.stateDir, ctx.compiled);
  const dir = edgeDir(ctx.stateDir);
  const out: { record: ProxyRecord; text: string }[] = edges.map((e) => {
    const text = renderEdgeConfig(ctx.compiled, e.zone);
    const base = join(dir, e.zone);
    return { record: { address: `edge/${e.zone}`, namespace: e.namespace, cfg: join(base, 'haproxy.cfg'), service: join(base, 'sv'), hash: hashOf(text) }, text };
  });
  const entry = renderEntryConfig(ctx.compiled.estate, port, edges);
  const base = join(dir, ENTRY_ADDRESS);
  out.push({ record: { address: ENTRY_ADDRESS, cfg: join(base, 'haproxy.cfg'), service: join(base, 'sv'), hash: hashOf(entry) }, text: entry });
  return out;
}

async function cmdline(pid: number): Promise<string[] | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

/** The runit service directory of a proxy (its run script execs the NUL-separated ./argv). */
function serviceDir(record: ProxyRecord): string {
  return record.service;
}

/** Pids of every runsv supervising a service directory under `dir`. */
export async function findSupervisors(dir: string): Promise<{ pid: number; sv: string }[]> {
  const found: { pid: number; sv: string }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await cmdline(Number(entry));
    if (argv && argv[0]?.endsWith('runsv') && argv.length === 2 && argv[1]!.startsWith(`${dir}/`)) found.push({ pid: Number(entry), sv: argv[1]! });
  }
  return found;
}

/** Pids of every haproxy (master and workers) started with `-f cfg` for a cfg under `dir`. */
export async function findProxies(dir: string): Promise<{ pid: number; cfg: string }[]> {
  const found: { pid: number; cfg: string }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await cmdline(Number(entry));
    if (!argv || !argv[0]?.endsWith('haproxy')) continue;
    const i = argv.indexOf('-f');
    const cfg = i >= 0 ? argv[i + 1] : undefined;
    if (cfg && cfg.startsWith(`${dir}/`)) found.push({ pid: Number(entry), cfg });
  }
  return found;
}

/** The master's pid when it is alive and is this configuration's haproxy. */
async function liveMaster(record: ProxyRecord): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(join(serviceDir(record), 'supervise', 'pid'), 'utf8')).trim());
    const argv = pid > 0 ? await cmdline(pid) : undefined;
    return argv && argv[0]?.endsWith('haproxy') && argv.includes(record.cfg) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Pids whose parent is `parent` (a master's workers). */
async function childrenOf(parent: number): Promise<Set<number>> {
  const children = new Set<number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Field 4 (ppid) follows the command name, which is in parentheses and may contain spaces.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === parent) children.add(Number(entry));
  }
  return children;
}

/** A reload is asynchronous: wait until the master has forked a worker it did not have before the signal. */
async function waitNewWorker(record: ProxyRecord, master: number, before: Set<number>): Promise<void> {
  for (let i = 0; i < 250; i++) {
    for (const pid of await childrenOf(master)) if (!before.has(pid)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${record.address}: haproxy reload started no new worker within 5 s`);
}

function haproxyArgv(record: ProxyRecord): string[] {
  const argv = [HAPROXY, '-W', '-db', '-f', record.cfg];
  // nsenter only for the network namespace: the edge's files stay the host's.
  return record.namespace ? ['/usr/bin/nsenter', `--net=/run/netns/${record.namespace}`, '--', ...argv] : argv;
}

/** Waits (5 s at most: runsv waits 1 s before restarting a quick exit) until runsv runs a master with a worker. */
async function waitMaster(record: ProxyRecord): Promise<number> {
  for (let i = 0; i < 250; i++) {
    const pid = await liveMaster(record);
    // Started means serving: the master has forked its worker (it binds before forking).
    if (pid && (await childrenOf(pid)).size > 0) return pid;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${record.address}: haproxy did not start (no live master under ${serviceDir(record)})`);
}

async function stopPids(pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 20));
  for (const pid of pids.filter(alive)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The service's ./argv: the command line NUL-separated (read by the run script, never parsed by a shell). */
function argvFile(record: ProxyRecord): string {
  const argv = haproxyArgv(record);
  for (const arg of argv) if (arg.includes('\0')) throw new Error(`${record.address}: argument with a NUL byte`);
  return `${argv.join('\0')}\0`;
}

async function writeService(record: ProxyRecord): Promise<void> {
  const sv = serviceDir(record);
  await rm(sv, { recursive: true, force: true }); // a stale supervise/ of a dead runsv
  await mkdir(sv, { recursive: true, mode: 0o700 });
  await writeFile(join(sv, 'argv'), argvFile(record), { mode: 0o600 });
  await writeFile(join(sv, 'run'), RUN_SCRIPT, { mode: 0o755 });
  await chmod(join(sv, 'run'), 0o755);
}

/** Stops every haproxy of one configuration (master and workers). */
async function stopProxy(dir: string, cfg: string): Promise<void> {
  await stopPids((await findProxies(dir)).filter((p) => p.cfg === cfg).map((p) => p.pid));
}

export const edgeLayer: Layer = {
  name: 'edge',

  async preconditions() {
    const problems: string[] = [];
    try {
      const { stdout } = await run([HAPROXY, '-vv'], { timeoutMs: 10_000 });
      if (!/\+NS\b/.test(stdout)) problems.push('haproxy is built without namespace support (+NS): install Debian\'s haproxy: apt-get install haproxy');
    } catch {
      problems.push(`${HAPROXY} not found: apt-get install haproxy`);
    }
    return problems;
  },

  async plan(ctx: LayerContext): Promise<PlannedAction[]> {
    const recorded = await readEdgeState(ctx.stateDir);
    const port = await choosePort(recorded, process.env);
    if (!(await readNetworkState(ctx.stateDir))) {
      // Dry run before the network exists: every proxy is to be created (addresses only; no config yet).
      const addresses = [...ctx.compiled.zones.map((z) => `edge/${z.name}`), ENTRY_ADDRESS].sort();
      return addresses.map((address) => ({ address, action: 'create' as const, reason: address === ENTRY_ADDRESS ? `start haproxy on 127.0.0.1:${port}` : 'start haproxy in the edge namespace' }));
    }
    return planProxies(recorded?.proxies ?? [], (await desired(ctx, port)).map((d) => d.record));
  },

  async up(ctx: LayerContext) {
    const recorded = await readEdgeState(ctx.stateDir);
    const port = await choosePort(recorded, process.env);
    const want = await desired(ctx, port);
    const dir = edgeDir(ctx.stateDir);
    // Validate every configuration before touching any process: a bad one changes nothing.
    for (const { record, text } of want) {
      await mkdir(join(dir, record.address === ENTRY_ADDRESS ? ENTRY_ADDRESS : record.address.slice('edge/'.length)), { recursive: true, mode: 0o700 });
      await writeAtomic(`${record.cfg}.new`, text);
      await run([HAPROXY, '-c', '-q', '-f', `${record.cfg}.new`], { timeoutMs: 20_000 }).catch((error: Error) => {
        throw new Error(`${record.address}: invalid haproxy configuration: ${error.message}`);
      });
    }
    const actions = planProxies(recorded?.proxies ?? [], want.map((w) => w.record));
    // Write-ahead: the union of old and new, so that down after a crash here finds everything.
    const union = new Map((recorded?.proxies ?? []).map((p) => [p.address, p]));
    for (const { record } of want) union.set(record.address, record);
    await writeState(ctx.stateDir, { estate: ctx.compiled.estate, entryPort: port, proxies: [...union.values()] });
    for (const action of actions.filter((a) => a.action === 'delete')) {
      const old = union.get(action.address)!;
      await stopPids((await findSupervisors(dir)).filter((p) => p.sv === serviceDir(old)).map((p) => p.pid));
      await stopProxy(dir, old.cfg);
      await rm(join(old.cfg, '..'), { recursive: true, force: true });
      union.delete(action.address);
      ctx.log(`edge: ${action.address} stopped (no longer in the estate)`);
    }
    for (const { record } of want) {
      await rename(`${record.cfg}.new`, record.cfg);
      const action = actions.find((a) => a.address === record.address)!.action;
      const sv = serviceDir(record);
      const supervised = (await findSupervisors(dir)).some((p) => p.sv === sv);
      const sameArgv = (await readFile(join(sv, 'argv'), 'utf8').catch(() => '')) === argvFile(record);
      if (supervised && sameArgv) {
        // runsv restarts a dead haproxy within a second: wait for it rather than start a second one.
        const master = await waitMaster(record);
        if (action === 'keep') continue;
        // Master-worker reload: the master re-reads the file; old workers drain their connections.
        const before = await childrenOf(master);
        process.kill(master, 'SIGUSR2');
        await waitNewWorker(record, master, before);
        ctx.log(`edge: ${record.address} reloaded`);
        continue;
      }
      // Not supervised (runsv killed) or another command line (namespace changed): start afresh.
      await stopPids((await findSupervisors(dir)).filter((p) => p.sv === sv).map((p) => p.pid));
      await stopProxy(dir, record.cfg); // an unsupervised master and its workers
      await writeService(record);
      // detached: setsid(), so neither a terminal hang-up nor the death of archipel reaches it.
      const child = spawn('/usr/bin/runsv', [sv], { detached: true, stdio: 'ignore', cwd: '/', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
      child.unref();
      await waitMaster(record);
      ctx.log(`edge: ${record.address} started${record.namespace ? ` in ${record.namespace}` : ` on 127.0.0.1:${port}`}`);
    }
    await writeState(ctx.stateDir, { estate: ctx.compiled.estate, entryPort: port, proxies: want.map((w) => w.record) });
    ctx.log(`edge: entry point http://127.0.0.1:${port}/ (Host header selects the application)`);
  },

  async down(ctx) {
    const dir = edgeDir(ctx.stateDir);
    const state = await readEdgeState(ctx.stateDir);
    // Supervisors first (SIGTERM makes runsv stop its haproxy and exit), so nothing is restarted meanwhile.
    await stopPids((await findSupervisors(dir)).map((p) => p.pid));
    for (const record of state?.proxies ?? []) await stopProxy(dir, record.cfg);
    // Anything else started from this estate's edge directory (a crash between start and record).
    await stopPids((await findProxies(dir)).map((p) => p.pid));
    await rm(dir, { recursive: true, force: true });
    await rm(join(ctx.stateDir, EDGE_STATE_FILE), { force: true });
    if (state) ctx.log(`edge: ${state.proxies.length} haproxy stopped`);
  },
};
