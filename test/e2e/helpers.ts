/**
 * Shared helpers for the end-to-end tests (root, real namespaces): skip when not root, run programs inside
 * namespaces, probe a TCP port the way a client sees it, sweep an estate's namespaces, and a test-only
 * firewall for hand-written compiled estates (until the render stage's rulesets are used).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import type { CompiledEstate } from '../../src/compile/types.ts';
import { localNames } from '../../src/runtime/local/network/names.ts';
import { run } from '../../src/runtime/local/run.ts';

export const isRoot = () => process.getuid?.() === 0;

/** Namespace names currently in the kernel. */
export async function netnsList(): Promise<string[]> {
  try {
    return (await readdir('/run/netns')).sort();
  } catch {
    return [];
  }
}

/** Namespaces that carry the estate's prefix. */
export async function estateNamespaces(estate: string): Promise<string[]> {
  const names = localNames(estate);
  return (await netnsList()).filter((n) => names.owns(n));
}

/** Deletes every namespace with the estate's prefix (last-resort cleanup in tests). */
export async function sweep(estate: string): Promise<void> {
  const leftovers = await estateNamespaces(estate);
  if (leftovers.length > 0) await run(['ip', '-force', '-batch', '-'], { input: leftovers.map((n) => `netns del ${n}\n`).join('') }).catch(() => undefined);
}

export function nsenter(namespace: string, command: string[], input?: string) {
  return run(['nsenter', `--net=/run/netns/${namespace}`, ...command], { timeoutMs: 10_000, ...(input === undefined ? {} : { input }) });
}

/** An empty directory for test web servers to serve (answers are 404: enough to prove a connection). */
const WWW = '/tmp/archipel-e2e-www';

/** Starts `busybox httpd` on a port inside a namespace; returns the process (kill it when done). */
export async function listen(namespace: string, port: number): Promise<ChildProcess> {
  await mkdir(WWW, { recursive: true, mode: 0o755 });
  const child = spawn('nsenter', [`--net=/run/netns/${namespace}`, 'busybox', 'httpd', '-f', '-p', String(port), '-h', WWW], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const { stdout } = await nsenter(namespace, ['ss', '-Htln', `sport = :${port}`]).catch(() => ({ stdout: '' }));
    if (stdout.trim()) return child;
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`nothing listens on ${namespace}:${port}`);
}

export type Reach = 'open' | 'refused' | 'filtered' | 'timeout' | 'unreachable';

/** What a client in `namespace` sees when connecting to ip:port. */
export async function connect(namespace: string, ip: string, port: number): Promise<Reach> {
  try {
    // busybox nc: connects, reads stdin (empty) and closes; -w bounds the connect.
    await nsenter(namespace, ['busybox', 'nc', '-w', '2', ip, String(port)], '');
    return 'open';
  } catch (error) {
    const message = String((error as Error).message);
    if (/Connection refused/.test(message)) return 'refused';
    if (/No route to host|Host is unreachable/.test(message)) return 'filtered';
    if (/Network is unreachable/.test(message)) return 'unreachable';
    if (/timed out|timeout/i.test(message)) return 'timeout';
    throw error;
  }
}

/**
 * A test-only zone ruleset for hand-written compiled estates: default deny with admin-prohibited, the
 * declared flows between network prefixes, same application across zones.
 */
export function testFirewall(compiled: CompiledEstate): string {
  const net = (owner: string) => compiled.networks.find((n) => n.owner === owner)?.cidr;
  const lines = [
    'table inet archipel_test',
    'delete table inet archipel_test',
    'table inet archipel_test {',
    '  chain forward {',
    '    type filter hook forward priority 0; policy drop;',
    '    ct state established,related accept',
  ];
  for (const n of compiled.networks) lines.push(`    ip saddr ${n.cidr} ip daddr ${n.cidr} accept`);
  for (const f of compiled.flows) {
    const from = net(f.from);
    const to = net(f.to);
    if (from && to) lines.push(`    ip saddr ${from} ip daddr ${to} ${f.protocol} dport ${f.port} accept`);
  }
  lines.push('    reject with icmpx admin-prohibited', '  }', '}', '');
  return lines.join('\n');
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const BIN = new URL('../../bin/archipel.js', import.meta.url).pathname;

/** Runs the archipel CLI in a child process (so that a test can let it SIGKILL itself). */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

export interface EstateUnderTest {
  dir: string;
  file: string;
  env: { ARCHIPEL_STATE_DIR: string; ARCHIPEL_LAYERS?: string };
  /** Processes to SIGKILL at cleanup (listeners started by the test). */
  killers: (() => void)[];
}

/**
 * A copy of an example estate renamed `estate` in a temporary directory with its own state directory, and
 * the cleanup every e2e test needs even when it fails: kill the test's listeners, heal faults, `down`, sweep
 * any namespace of the estate, remove the directory.
 */
export async function estateUnderTest(
  t: { after: (fn: () => Promise<void>) => void },
  source: string,
  estate: string,
  options: { layers?: string; edit?: (yaml: string) => string } = {},
): Promise<EstateUnderTest> {
  const dir = await mkdtemp(join(tmpdir(), `archipel-${estate}-`));
  const env = { ARCHIPEL_STATE_DIR: join(dir, 'state'), ...(options.layers ? { ARCHIPEL_LAYERS: options.layers } : {}) };
  const file = join(dir, 'estate.yaml');
  const renamed = (await readFile(source, 'utf8')).replace(/^estate: [a-z0-9-]+$/m, `estate: ${estate}`);
  await writeFile(file, options.edit ? options.edit(renamed) : renamed);
  const killers: (() => void)[] = [];
  t.after(async () => {
    for (const kill of killers) kill();
    await cli(['fault', 'heal', '--all', file], env);
    await cli(['down', file], env);
    await sweep(estate);
    await rm(dir, { recursive: true, force: true });
  });
  return { dir, file, env, killers };
}
