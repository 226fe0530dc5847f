/**
 * Starting, finding, adopting and stopping the estate daemon, and talking to it.
 *
 * One daemon per estate: a detached Node process (`node --import tsx src/runtime/local/daemon/main.ts
 * --state-dir DIR --estate NAME`, its own session via setsid) owning `<stateDir>/daemon.sock` and
 * `<stateDir>/daemon.pid`, logging to `<stateDir>/daemon.log`. A daemon is recognised by its command line
 * (/proc/PID/cmdline names this main.ts and this state dir), never by a pid alone, so a recycled pid is
 * never adopted or killed. `ensureDaemon` adopts a live daemon that answers, replaces a stale or stuck one,
 * and kills strays, so that exactly one runs afterwards.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile, readdir, unlink } from 'node:fs/promises';
import { request } from 'node:http';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LockBusyError, processAlive, withPidLock } from '../files.ts';

export const DAEMON_SOCKET = 'daemon.sock';
export const DAEMON_PID = 'daemon.pid';
export const DAEMON_LOG = 'daemon.log';
const DAEMON_LOCK = 'daemon.lock';

/** The daemon's entry point (absolute path): also how its processes are recognised. */
export const DAEMON_MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

export function daemonPaths(stateDir: string): { socket: string; pid: string; log: string; lock: string } {
  if (!isAbsolute(stateDir)) throw new Error(`state directory must be absolute: ${stateDir}`);
  return { socket: join(stateDir, DAEMON_SOCKET), pid: join(stateDir, DAEMON_PID), log: join(stateDir, DAEMON_LOG), lock: join(stateDir, DAEMON_LOCK) };
}

/** GET a path of the daemon's API over its socket; rejects when nothing answers within the timeout. */
export function requestDaemon<T = unknown>(stateDir: string, path: string, timeoutMs = 2000): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: daemonPaths(stateDir).socket, path, method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`daemon answered ${res.statusCode}: ${text.trim()}`));
        try {
          resolve(JSON.parse(text) as T);
        } catch {
          reject(new Error('daemon answered something that is not JSON'));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`daemon did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export { processAlive };

async function isDaemonOf(pid: number, stateDir: string): Promise<boolean> {
  try {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    const at = argv.indexOf('--state-dir');
    return argv.includes(DAEMON_MAIN) && at >= 0 && argv[at + 1] === stateDir;
  } catch {
    return false;
  }
}

/** Parent pid from /proc/PID/stat (undefined when the process is gone). */
async function parentOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * Pids of every live daemon process of this state dir (normally zero or one). A child the daemon is
 * spawning (nsenter, nft) carries the daemon's command line between fork and exec: it is not a daemon.
 */
export async function findDaemonProcesses(stateDir: string): Promise<number[]> {
  const candidates: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid !== process.pid && (await isDaemonOf(pid, stateDir)) && (await processAlive(pid))) candidates.push(pid);
  }
  const pids: number[] = [];
  for (const pid of candidates) {
    const parent = await parentOf(pid);
    if (parent !== undefined && !candidates.includes(parent)) pids.push(pid);
  }
  return pids.sort((a, b) => a - b);
}

async function readPid(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends SIGTERM, waits up to `graceMs`, then SIGKILL; resolves once the process is gone. */
async function terminate(pid: number, graceMs: number): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await processAlive(pid))) return;
    await sleep(20);
  }
  signal('SIGKILL');
  while (await processAlive(pid)) await sleep(20);
}

/** Holds `<stateDir>/daemon.lock` while `fn` runs, so two `up` at once cannot start two daemons. */
async function withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await withPidLock(lockPath, { waitMs: 15_000 }, fn);
  } catch (error) {
    if (error instanceof LockBusyError) throw new Error(`daemon lock ${lockPath} held by process ${error.holder}`);
    throw error;
  }
}

export interface DaemonHealth {
  ok: boolean;
  estate: string;
  pid: number;
  startedAt: string;
  lastCheckAt?: string;
}

export interface EnsureDaemonOptions {
  /** Interval of the daemon's periodic checks (default 5000 ms). */
  checkIntervalMs?: number;
  /** Progress for humans (stderr). */
  log?: (line: string) => void;
  /** How long to wait for a new daemon to answer (default 15 s). */
  startTimeoutMs?: number;
}

export interface EnsureDaemonResult {
  pid: number;
  /** True when a live daemon was found answering and kept. */
  adopted: boolean;
  /** Milliseconds from spawn to the first answer on the socket (new daemon only). */
  startMs?: number;
  /** Stray or stale daemon processes that were stopped. */
  replaced: number[];
}

/** The daemon's health when one answers on the socket, else undefined. */
export async function daemonHealth(stateDir: string, timeoutMs = 1000): Promise<DaemonHealth | undefined> {
  return requestDaemon<DaemonHealth>(stateDir, '/health', timeoutMs).catch(() => undefined);
}

/**
 * Makes sure exactly one daemon serves this state dir: adopts the one that answers on the socket (and
 * whose pid file names it), stops any other daemon process of this state dir (stale, stuck or stray), and
 * starts a new one when none answers.
 */
export async function ensureDaemon(stateDir: string, estate: string, options: EnsureDaemonOptions = {}): Promise<EnsureDaemonResult> {
  const paths = daemonPaths(stateDir);
  const log = options.log ?? (() => undefined);
  return withLock(paths.lock, async () => {
    const health = await daemonHealth(stateDir);
    const recorded = await readPid(paths.pid);
    const running = await findDaemonProcesses(stateDir);
    const keep = health && health.pid === recorded && running.includes(health.pid) ? health.pid : undefined;
    const replaced = running.filter((pid) => pid !== keep);
    for (const pid of replaced) {
      log(`daemon: stopping process ${pid} (${pid === recorded ? 'not answering' : 'stray'})`);
      await terminate(pid, 2000);
    }
    if (keep !== undefined) {
      log(`daemon: adopted the running daemon (pid ${keep})`);
      return { pid: keep, adopted: true, replaced };
    }
    await unlink(paths.socket).catch(() => undefined);
    await unlink(paths.pid).catch(() => undefined);
    const started = Date.now();
    const logFd = openSync(paths.log, 'a', 0o600);
    let pid: number | undefined;
    try {
      const tsx = import.meta.resolve('tsx');
      const child = spawn(
        process.execPath,
        ['--import', tsx, DAEMON_MAIN, '--state-dir', stateDir, '--estate', estate, '--check-interval-ms', String(options.checkIntervalMs ?? 5000)],
        // Its own session (setsid) and no inherited terminal: it outlives `archipel up` and its terminal.
        { detached: true, stdio: ['ignore', logFd, logFd], cwd: '/', env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' } },
      );
      child.unref();
      pid = child.pid;
    } finally {
      closeSync(logFd);
    }
    if (pid === undefined) throw new Error(`could not start the daemon (see ${paths.log})`);
    const deadline = started + (options.startTimeoutMs ?? 15_000);
    for (;;) {
      const answer = await daemonHealth(stateDir, 500);
      if (answer?.pid === pid) break;
      if (!(await processAlive(pid))) throw new Error(`the daemon exited at start (see ${paths.log})`);
      if (Date.now() > deadline) {
        await terminate(pid, 1000);
        throw new Error(`the daemon did not answer within ${options.startTimeoutMs ?? 15_000} ms (see ${paths.log})`);
      }
      await sleep(25);
    }
    const startMs = Date.now() - started;
    log(`daemon: started (pid ${pid}, answering after ${startMs} ms)`);
    return { pid, adopted: false, startMs, replaced };
  });
}

/** Stops every daemon process of this state dir and removes its socket and pid file; idempotent. */
export async function stopDaemon(stateDir: string, options: { log?: (line: string) => void } = {}): Promise<{ stopped: number[] }> {
  const paths = daemonPaths(stateDir);
  const stop = async () => {
    const running = await findDaemonProcesses(stateDir);
    for (const pid of running) {
      options.log?.(`daemon: stopping process ${pid}`);
      await terminate(pid, 3000);
    }
    await unlink(paths.socket).catch(() => undefined);
    await unlink(paths.pid).catch(() => undefined);
    return { stopped: running };
  };
  // Without a state dir there is no lock to take, but a stray daemon of that path may still run.
  if (!existsSync(stateDir)) return stop();
  return withLock(paths.lock, stop);
}
