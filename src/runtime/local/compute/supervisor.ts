/**
 * runit, driven: one `runsvdir -P <sv>` per estate, started detached (its own session) so that instances
 * survive archipel and the daemon; adopted (pid file + /proc cmdline) instead of started twice; stopped with
 * every runsv and instance. Also reads service status from runit's own files, checks health from inside
 * an instance's network namespace, and finds leftover processes by what they are (cwd, netns, uid), never
 * by remembered pids alone.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
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
  for (const pid of await listPids()) if (sameArgv(await cmdline(pid), want)) found.push(pid);
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

/** Checks an instance's health from inside its network namespace: the http path answers, or the port accepts. */
export async function checkHealth(instance: ComputeInstance): Promise<boolean> {
  const net = `--net=/run/netns/${instance.namespace}`;
  const command = instance.health?.http
    ? ['/usr/bin/nsenter', net, '--', '/usr/bin/busybox', 'wget', '-q', '-O', '/dev/null', `http://${instance.ip}:${instance.port}${instance.health.http}`]
    : ['/usr/bin/nsenter', net, '--', '/usr/bin/busybox', 'nc', '-w', '2', instance.ip, String(instance.port)];
  try {
    // No wget -T: Debian's busybox 1.35 wget segfaults with it; the spawn timeout bounds the check instead.
    await run(command, { timeoutMs: 3_000 });
    return true;
  } catch {
    return false;
  }
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

/**
 * Processes of this layer: whose working directory is under `root` (runsv, svlogd, bwrap's monitor, finish),
 * or that run as one of `uids` inside one of the namespaces of `inodes` (the instances themselves), or
 * runsvdir on `svDir`.
 */
export async function findLayerProcesses(root: string, svDir: string, uids: Set<number>, inodes: Set<number>): Promise<number[]> {
  const found: number[] = [];
  const want = runsvdirArgv(svDir);
  for (const pid of await listPids()) {
    if (pid === process.pid) continue;
    try {
      const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '');
      if (cwd === root || cwd.startsWith(`${root}/`)) {
        found.push(pid);
        continue;
      }
      if (sameArgv(await cmdline(pid), want)) {
        found.push(pid);
        continue;
      }
      const net = /^net:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/ns/net`).catch(() => ''));
      if (!net || !inodes.has(Number(net[1]))) continue;
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const uid = /^Uid:\s+(\d+)/m.exec(status);
      if (uid && uids.has(Number(uid[1]))) found.push(pid);
    } catch {
      // the process ended while we looked
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
