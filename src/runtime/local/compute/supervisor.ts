/**
 * runit, driven: one `runsvdir -P <sv>` per estate, started detached (its own session) so that instances
 * survive archipel and the daemon; adopted (pid file + /proc cmdline) instead of started twice; stopped with
 * every runsv and instance. Also reads service status from runit's own files, checks health from inside
 * an instance's network namespace, and finds leftover processes by what they are (cwd, netns, uid), never
 * by remembered pids alone.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../run.ts';
import type { ComputeInstance } from './service.ts';

/** The command line runsvdir is started with, which identifies it in /proc. */
export function runsvdirArgv(svDir: string): string[] {
  return ['/usr/bin/runsvdir', '-P', svDir];
}

async function cmdline(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

function sameArgv(a: string[] | undefined, b: string[]): boolean {
  return !!a && a.length === b.length && a.every((x, i) => x === b[i] || (i === 0 && x.endsWith('/runsvdir') && b[0]!.endsWith('/runsvdir')));
}

/** Pids of every runsvdir supervising `svDir` (normally zero or one). */
export async function findRunsvdirs(svDir: string): Promise<number[]> {
  const want = runsvdirArgv(svDir);
  const found: number[] = [];
  for (const pid of await listPids()) if (procInfo(pid)?.comm === 'runsvdir' && sameArgv(await cmdline(pid), want)) found.push(pid);
  return found;
}

/** Starts runsvdir on `svDir`, or adopts the one already running (returns its pid and whether it was adopted). */
export async function startOrAdoptRunsvdir(svDir: string, pidFile: string): Promise<{ pid: number; adopted: boolean }> {
  const want = runsvdirArgv(svDir);
  try {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    if (Number.isInteger(pid) && pid > 0 && sameArgv(await cmdline(pid), want)) return { pid, adopted: true };
  } catch {
    // no pid file: look for it by command line below
  }
  const running = await findRunsvdirs(svDir);
  if (running.length > 0) {
    await writeFile(pidFile, `${running[0]}\n`, { mode: 0o600 });
    return { pid: running[0]!, adopted: true };
  }
  // detached: setsid(), so neither a terminal hang-up nor the death of archipel reaches it.
  const child = spawn(want[0]!, want.slice(1), { detached: true, stdio: 'ignore', cwd: '/', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  const pid = child.pid;
  if (pid === undefined) throw new Error('runsvdir did not start');
  child.unref();
  await writeFile(pidFile, `${pid}\n`, { mode: 0o600 });
  return { pid, adopted: false };
}

/** runit's view of one service: state from supervise/stat, pid from supervise/pid. */
export interface ServiceStatus {
  state: 'run' | 'down' | 'finish' | 'unknown';
  pid?: number;
  crashLoop: boolean;
  /** Recent exits recorded by the finish script (at most CRASH_LOOP.exits). */
  exits: number;
  /** Exits since the service directory was created (each one followed by a restart unless crash-looping). */
  restarts: number;
}

export async function serviceStatus(serviceDir: string): Promise<ServiceStatus> {
  const read = async (file: string) => {
    try {
      return (await readFile(join(serviceDir, file), 'utf8')).trim();
    } catch {
      return undefined;
    }
  };
  const [stat_, pid, crash, exits, restarts] = await Promise.all([read('supervise/stat'), read('supervise/pid'), read('crash-loop'), read('exits'), read('restarts')]);
  const word = stat_?.split(/[\s,]/)[0];
  const state = word === 'run' || word === 'down' || word === 'finish' ? word : 'unknown';
  const n = Number(pid);
  return {
    state,
    ...(state === 'run' && Number.isInteger(n) && n > 0 ? { pid: n } : {}),
    crashLoop: crash !== undefined,
    exits: exits ? exits.split('\n').length : 0,
    restarts: Number(restarts) || 0,
  };
}

/** `sv` on many services at once (one process). */
export async function sv(args: string[], serviceDirs: string[], timeoutMs = 30_000): Promise<void> {
  if (serviceDirs.length === 0) return;
  for (let i = 0; i < serviceDirs.length; i += 200) {
    await run(['/usr/bin/sv', ...args, ...serviceDirs.slice(i, i + 200)], { timeoutMs }).catch(() => undefined);
  }
}

/**
 * Health checks of many instances. Process creation is the cost here (~20-40 ms per exec on the 2-core test
 * machine, so 300 checks with one nsenter each take 10-20 s): instances are checked from their zone's router
 * namespace by ONE Node process per zone that opens every connection in parallel (the router is on every
 * application bridge of its zone and its own traffic crosses no forward chain; the firewall accepts the
 * replies as established). An instance whose router namespace is missing is checked from inside its own
 * namespace (nsenter + busybox, one process each). `routerOf` names the router namespace of a zone.
 * Returns the addresses found healthy.
 */
export async function checkHealthMany(instances: ComputeInstance[], routerOf?: (zone: string) => string): Promise<Set<string>> {
  const healthy = new Set<string>();
  const byRouter = new Map<string, ComputeInstance[]>();
  const alone: ComputeInstance[] = [];
  for (const instance of instances) {
    const router = routerOf?.(instance.zone);
    if (router && (await netnsInode(router)) !== undefined) byRouter.set(router, [...(byRouter.get(router) ?? []), instance]);
    else alone.push(instance);
  }
  await Promise.all([
    ...[...byRouter].map(async ([router, group]) => {
      for (const address of await checkFrom(router, group)) healthy.add(address);
    }),
    (async () => {
      for (const address of await checkInside(alone)) healthy.add(address);
    })(),
  ]);
  return healthy;
}

/** One health check (HTTP path or TCP connect, 3 s), shared by the one-shot checker and the watcher. */
const CHECK_ONE = `const one = (t) => new Promise((resolve) => {
  const done = (ok) => { clearTimeout(timer); resolve(ok); };
  const timer = setTimeout(() => { request.destroy(); resolve(false); }, 3000);
  const request = t.path
    ? get({ host: t.ip, port: t.port, path: t.path, agent: false }, (res) => { res.resume(); done(res.statusCode >= 200 && res.statusCode < 400); }).on('error', () => done(false))
    : connect({ host: t.ip, port: t.port }, () => { request.destroy(); done(true); }).on('error', () => done(false));
});`;

/** Checker run by Node inside a router namespace: JSON targets on stdin, healthy indexes on stdout. */
const ROUTER_CHECKER = `
import { connect } from 'node:net';
import { get } from 'node:http';
let input = '';
for await (const chunk of process.stdin) input += chunk;
const targets = JSON.parse(input);
${CHECK_ONE}
const results = await Promise.all(targets.map(one));
process.stdout.write(JSON.stringify(results.flatMap((ok, i) => (ok ? [i] : []))));
`;

async function checkFrom(router: string, group: ComputeInstance[]): Promise<string[]> {
  if (!/^[a-z0-9-]{1,15}$/.test(router)) throw new Error(`invalid router namespace ${JSON.stringify(router)}`);
  const targets = group.map((i) => ({ ip: i.ip, port: i.port, ...(i.health?.http ? { path: i.health.http } : {}) }));
  try {
    const { stdout } = await run(['/usr/bin/nsenter', `--net=/run/netns/${router}`, '--', process.execPath, '--input-type=module', '-e', ROUTER_CHECKER], { input: JSON.stringify(targets), timeoutMs: 20_000 });
    return (JSON.parse(stdout) as number[]).map((index) => group[index]!.address);
  } catch {
    return [];
  }
}

/** Like ROUTER_CHECKER, but keeps retrying what is not healthy yet until a deadline, printing each index once. */
const ROUTER_WATCHER = `
import { connect } from 'node:net';
import { get } from 'node:http';
let input = '';
for await (const chunk of process.stdin) input += chunk;
const { targets, deadlineMs } = JSON.parse(input);
const end = Date.now() + deadlineMs;
${CHECK_ONE}
let pending = targets.map((_, i) => i);
while (pending.length > 0 && Date.now() < end) {
  const results = await Promise.all(pending.map((i) => one(targets[i])));
  const next = [];
  results.forEach((ok, k) => (ok ? process.stdout.write(pending[k] + '\\n') : next.push(pending[k])));
  pending = next;
  if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
}
`;

/** A running health watch: `stop()` ends its processes. */
export interface HealthWatch {
  stop(): void;
}

/**
 * Watches instances until each is healthy or `deadlineMs` passes, calling `onHealthy` once per instance.
 * One long-lived Node process per zone router retries internally, instead of a process per round: during a
 * bring-up every process created competes with the instances being started. Instances without a router
 * namespace are not watched here (`unwatched` lists them: check them with checkHealthMany).
 */
export async function watchHealth(instances: ComputeInstance[], routerOf: (zone: string) => string, deadlineMs: number, onHealthy: (address: string) => void): Promise<HealthWatch & { unwatched: ComputeInstance[] }> {
  const byRouter = new Map<string, ComputeInstance[]>();
  const unwatched: ComputeInstance[] = [];
  for (const instance of instances) {
    const router = routerOf(instance.zone);
    if (/^[a-z0-9-]{1,15}$/.test(router) && (await netnsInode(router)) !== undefined) byRouter.set(router, [...(byRouter.get(router) ?? []), instance]);
    else unwatched.push(instance);
  }
  const children = [...byRouter].map(([router, group]) => {
    const child = spawn('/usr/bin/nsenter', [`--net=/run/netns/${router}`, '--', process.execPath, '--input-type=module', '-e', ROUTER_WATCHER], { stdio: ['pipe', 'pipe', 'ignore'] });
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const instance = group[Number(line)];
        if (instance) onHealthy(instance.address);
      }
    });
    child.on('error', () => undefined);
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify({ targets: group.map((i) => ({ ip: i.ip, port: i.port, ...(i.health?.http ? { path: i.health.http } : {}) })), deadlineMs }));
    return child;
  });
  return {
    unwatched,
    stop: () => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Checks from inside each instance's own namespace, a bash batch at a time (see HEALTH_SCRIPT). */
async function checkInside(instances: ComputeInstance[], batchSize = 64): Promise<string[]> {
  const healthy: string[] = [];
  for (let i = 0; i < instances.length; i += batchSize) {
    const batch = instances.slice(i, i + batchSize);
    const args: string[] = [];
    for (const instance of batch) {
      if (!/^[a-z0-9-]{1,15}$/.test(instance.namespace) || !/^\d{1,3}(\.\d{1,3}){3}$/.test(instance.ip)) throw new Error(`invalid instance ${instance.address}`);
      const path = instance.health?.http ?? '-';
      if (path !== '-' && !/^\/[A-Za-z0-9._~\-/]*$/.test(path)) throw new Error(`invalid health path for ${instance.address}`);
      args.push(instance.namespace, instance.ip, String(instance.port), path);
    }
    const { stdout } = await run(['/bin/bash', '-c', HEALTH_SCRIPT, 'archipel-health', ...args], { timeoutMs: 15_000 }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const ok = new Set(stdout.split('\n').filter((l) => l.startsWith('ok ')).map((l) => l.slice(3)));
    for (const instance of batch) if (ok.has(`${instance.namespace} ${instance.port}`)) healthy.push(instance.address);
  }
  return healthy;
}

/**
 * Constant checker: arguments come in fours (namespace, ip, port, http path or "-" for tcp), data only.
 * No wget -T: Debian's busybox 1.35 wget segfaults with it; `timeout` bounds every check instead.
 */
const HEALTH_SCRIPT = `check() {
  if [ "$4" = - ]; then
    /usr/bin/timeout 2 /usr/bin/nsenter --net="/run/netns/$1" -- /usr/bin/busybox nc -w 1 "$2" "$3" </dev/null >/dev/null 2>&1
  else
    /usr/bin/timeout 2 /usr/bin/nsenter --net="/run/netns/$1" -- /usr/bin/busybox wget -q -O /dev/null "http://$2:$3$4" </dev/null >/dev/null 2>&1
  fi && echo "ok $1 $3"
}
while [ $# -ge 4 ]; do check "$1" "$2" "$3" "$4" & shift 4; done
wait`;

/** Health of one instance (see checkHealthMany). */
export async function checkHealth(instance: ComputeInstance, routerOf?: (zone: string) => string): Promise<boolean> {
  return (await checkHealthMany([instance], routerOf)).has(instance.address);
}

export async function listPids(): Promise<number[]> {
  return (await readdir('/proc')).filter((e) => /^\d+$/.test(e)).map(Number);
}

/** The inode of a network namespace file (what /proc/PID/ns/net links to: net:[INODE]). */
export async function netnsInode(namespace: string): Promise<number | undefined> {
  try {
    return (await stat(`/run/netns/${namespace}`)).ino;
  } catch {
    return undefined;
  }
}

/** What the process scan reads about one process (synchronously: thousands of tiny reads, no thread pool). */
interface ProcInfo {
  pid: number;
  comm: string;
  pgrp: number;
}

function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat_ = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat_.lastIndexOf(')');
    const fields = stat_.slice(close + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined; // a zombie: nothing left to stop
    return { pid, comm: stat_.slice(stat_.indexOf('(') + 1, close), pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/**
 * Processes of this layer: whose working directory is under `root` (runsv, svlogd, bwrap's monitor, finish),
 * or that run inside one of the namespaces of `inodes` as one of `uids` (the instances) or as bwrap (the
 * sandbox's init), or runsvdir on `svDir` (when given). Zombies are skipped (nothing to kill).
 */
export async function findLayerProcesses(root: string | string[], svDir: string | undefined, uids: Set<number>, inodes: Set<number>): Promise<ProcInfo[]> {
  const roots = Array.isArray(root) ? root : [root];
  const found: ProcInfo[] = [];
  const want = svDir === undefined ? undefined : runsvdirArgv(svDir);
  for (const pid of await listPids()) {
    if (pid === process.pid) continue;
    const info = procInfo(pid);
    if (!info) continue;
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (roots.some((r) => cwd === r || cwd.startsWith(`${r}/`))) {
        found.push(info);
        continue;
      }
      if (want && info.comm === 'runsvdir' && sameArgv(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1), want)) {
        found.push(info);
        continue;
      }
      const net = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`));
      if (!net || !inodes.has(Number(net[1]))) continue;
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if ((uid && uids.has(Number(uid[1]))) || info.comm === 'bwrap') found.push(info);
    } catch {
      // the process ended while we looked, or is a zombie
    }
  }
  return found;
}

export function killPids(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Stops the processes of the layer found under `roots` (service directories) or in the namespaces `inodes`
 * as `uids`: runsv first, with KILL (it would otherwise run ./finish after each instance exits, a process
 * per instance, and might restart it), then TERM to the rest of each runsv's group (runsvdir -P makes each
 * runsv a session leader; svlogd flushes, bwrap's monitor exits and takes its sandbox with it), then KILL
 * whatever remains after a short grace. Returns the number of groups stopped.
 */
export async function stopProcesses(roots: string[], svDir: string | undefined, uids: Set<number>, inodes: Set<number>): Promise<number> {
  const groups = (await findLayerProcesses(roots, svDir, uids, inodes)).filter((p) => p.comm === 'runsv' && p.pgrp === p.pid).map((p) => p.pid);
  killPids(groups, 'SIGKILL');
  killGroups(groups, 'SIGTERM');
  for (let waited = 0; ; waited += 100) {
    const left = await findLayerProcesses(roots, svDir, uids, inodes);
    if (left.length === 0) break;
    if (waited >= 1_500) killPids(left.map((p) => p.pid), 'SIGKILL');
    if (waited >= 5_000) throw new Error(`compute: ${left.length} process(es) survive SIGKILL, e.g. pid ${left[0]!.pid}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return groups.length;
}

/** Signals whole process groups (negative pid); groups are runsv session leaders found by the scan. */
export function killGroups(leaders: number[], signal: NodeJS.Signals): void {
  for (const leader of leaders) {
    if (!Number.isInteger(leader) || leader <= 1 || leader === process.pid) continue;
    try {
      process.kill(-leader, signal);
    } catch {
      // already gone
    }
  }
}
