/**
 * The probe's kernel-facing helper (helper.c): built on first use into the local target's cache directory
 * (named by the hash of its source, so a changed source is rebuilt), then driven through three modes:
 * listeners (what listens in each namespace), serve (canaries and stand-in listeners, ICMP rate limit
 * lifted in the given namespaces while it runs) and connect (the attempts, one epoll loop per worker).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, chmod, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../netcfg/index.ts';
import { run } from '../../run.ts';
import { checkKernelName } from '../names.ts';

const SOURCE = fileURLToPath(new URL('./helper.c', import.meta.url));

/** The helper's path, built when missing; throws with the fix when no C compiler is available. */
export async function probeBinary(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const source = await readFile(SOURCE);
  const dir = cacheDir(env);
  const path = join(dir, `archipel-probe-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`);
  try {
    await access(path);
    return path;
  } catch {
    // not built yet
  }
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    await run(['cc', '-O2', '-Wall', '-o', temporary, SOURCE], { timeoutMs: 60_000 });
    await rename(temporary, path);
    return path;
  } catch (error) {
    await rm(temporary, { force: true });
    throw new Error(`cannot build the probe helper (${(error as Error).message.split('\n')[0]}); fix: apt-get install -y gcc libc6-dev`);
  }
}

/** Listening TCP ports and bound UDP ports (non-loopback) of each namespace, by namespace name. */
export async function listListeners(binary: string, namespaces: string[]): Promise<Map<string, { tcp: Set<number>; udp: Set<number> }>> {
  const result = new Map<string, { tcp: Set<number>; udp: Set<number> }>();
  for (const ns of namespaces) result.set(checkKernelName(ns), { tcp: new Set(), udp: new Set() });
  if (namespaces.length === 0) return result;
  const { stdout } = await run([binary, 'listeners'], { input: `${namespaces.join('\n')}\n`, timeoutMs: 60_000 });
  for (const line of stdout.split('\n')) {
    const [index, proto, port] = line.split(' ');
    const entry = result.get(namespaces[Number(index)] ?? '');
    if (!entry || (proto !== 'tcp' && proto !== 'udp')) continue;
    entry[proto].add(Number(port));
  }
  return result;
}

export interface ServeRequest {
  /** Namespaces whose ICMP error rate limit is lifted while serving (routers: their rejections must all arrive). */
  icmp: string[];
  listen: { namespace: string; protocol: 'tcp' | 'udp'; port: number }[];
}

export interface Server {
  /** errno per listen request (0: bound), in request order. */
  bound: number[];
  stop(): Promise<void>;
}

/** Starts the canary server; resolves once every listener is bound. stop() restores what it changed. */
export function serve(binary: string, request: ServeRequest): Promise<Server> {
  const lines = [
    ...request.icmp.map((ns) => `icmp ${checkKernelName(ns)}`),
    ...request.listen.map((l) => `listen ${checkKernelName(l.namespace)} ${l.protocol} ${l.port}`),
    'go',
  ];
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(binary, ['serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const bound: number[] = [];
    let buffer = '';
    let stderr = '';
    let ready = false;
    const exited = new Promise<void>((done) => child.on('close', () => done()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => reject(error));
    child.on('close', (code) => {
      if (!ready) reject(new Error(`probe helper (serve) exited ${code}: ${stderr.trim()}`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let at: number;
      while ((at = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 1);
        if (line.startsWith('bound ')) bound.push(Number(line.split(' ')[2]));
        if (line === 'ready') {
          ready = true;
          resolve({
            bound,
            stop: async () => {
              child.stdin!.end();
              const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
              await exited;
              clearTimeout(timer);
            },
          });
        }
      }
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.write(`${lines.join('\n')}\n`);
  });
}

export type Outcome = 'open' | 'closed' | 'filtered' | 'silent' | 'error';
const OUTCOMES: Record<string, Outcome> = { o: 'open', c: 'closed', f: 'filtered', s: 'silent', e: 'error' };

/**
 * Runs one connect worker on its input ("s NS" then "t IP PORT PROTO" lines, built by the caller so that
 * half a million attempts never exist as objects); outcomes in input order.
 */
export async function connectAttempts(binary: string, input: string, timeoutMs: number, concurrency: number): Promise<Outcome[]> {
  const { stdout } = await run([binary, 'connect', String(timeoutMs), String(concurrency)], { input, timeoutMs: 600_000 });
  const out: Outcome[] = [];
  let at = 0;
  while (at < stdout.length) {
    const end = stdout.indexOf('\n', at);
    if (end < 0) break;
    if (end > at) out.push(OUTCOMES[stdout[at]!] ?? 'error');
    at = end + 1;
  }
  return out;
}
