/**
 * bench:up: the whole local target on examples/region.yaml (renamed `benchup` so it never collides with a
 * real estate), through the CLI as a user runs it: median of 3 of `archipel up` from nothing until every
 * instance is healthy (up waits for it) and every public frontend answers 200 through the loopback entry
 * point; memory of everything the estate runs (sum of PSS from /proc/PID/smaps_rollup, never RSS); and
 * `archipel down`. Results on stdout (a table, then a one-line summary last), progress on stderr. Needs
 * root. Always tears down.
 *
 *   npm run bench:up [-- --runs 3]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyseEstateText } from '../src/pipeline.ts';
import { readNetworkState } from '../src/runtime/local/network/state.ts';
import { readEdgeState } from '../src/runtime/local/edge/layer.ts';

const ESTATE = 'benchup';
const TARGETS = { up: 10, down: 3, memoryMB: 2048 };
const BIN = new URL('../bin/archipel.js', import.meta.url).pathname;
const SETTLE_MS = 10_000;

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Status code of one request through the entry point with a Host header (0 on a transport error). */
function entryStatus(port: number, host: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Sum of PSS (kB) of the processes in the estate's namespaces or started from its state directory. */
async function estatePssKb(namespaceInodes: Set<number>, stateDir: string): Promise<{ kb: number; processes: number }> {
  let kb = 0;
  let processes = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const netns = Number(/\[(\d+)\]/.exec(await readlink(`/proc/${entry}/ns/net`))?.[1]);
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
      if (!namespaceInodes.has(netns) && !cmdline.includes(stateDir) && !cwd.startsWith(stateDir)) continue;
      const rollup = await readFile(`/proc/${entry}/smaps_rollup`, 'utf8');
      const pss = /^Pss:\s+(\d+) kB/m.exec(rollup);
      if (pss) {
        kb += Number(pss[1]);
        processes += 1;
      }
    } catch {
      // the process ended while being read
    }
  }
  return { kb, processes };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (ms: number) => (ms / 1000).toFixed(2);

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string' } }, strict: true });
  const runs = Number(values.runs ?? '3');
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench:up: needs root (namespaces, uids)\n');
    return 2;
  }
  const path = new URL('../examples/region.yaml', import.meta.url).pathname;
  const source = (await readFile(path, 'utf8')).replace(/^estate: .*$/m, `estate: ${ESTATE}`);
  const compiled = analyseEstateText(source, path).compiled;
  if (!compiled) throw new Error('examples/region.yaml does not compile');
  const publicHosts = compiled.frontends.filter((f) => f.policy.public && f.policy.device !== 'managed' && !f.policy.mfa).map((f) => f.host);
  const root = await mkdtemp(join(tmpdir(), 'archipel-bench-up-'));
  const file = join(root, 'region.yaml');
  await writeFile(file, source);
  const env = { ARCHIPEL_STATE_DIR: join(root, 'state') };
  const stateDir = join(env.ARCHIPEL_STATE_DIR, ESTATE);
  const rows: { up: number; ready: number; down: number; pssMB: number; processes: number }[] = [];
  const apps = compiled.instances.filter((i) => i.ownerKind === 'app').length;
  try {
    await cli(['down', file], env);
    for (let i = 1; i <= runs; i++) {
      process.stderr.write(`run ${i}/${runs}: up\n`);
      const started = performance.now();
      const up = await cli(['up', file], env);
      if (up.code !== 0) throw new Error(`archipel up failed (${up.code}):\n${up.stderr}`);
      const upMs = performance.now() - started;
      const port = (await readEdgeState(stateDir))?.entryPort;
      if (!port) throw new Error('no entry point recorded');
      for (;;) {
        const statuses = await Promise.all(publicHosts.map((h) => entryStatus(port, h)));
        if (statuses.every((s) => s === 200)) break;
        if (performance.now() - started > 120_000) throw new Error(`frontends not answering 200 after 120 s: ${statuses.join(',')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const readyMs = performance.now() - started;
      const network = await readNetworkState(stateDir);
      const inodes = new Set<number>();
      for (const ns of network?.namespaces ?? []) inodes.add((await stat(`/run/netns/${ns.name}`)).ino);
      const memory = await estatePssKb(inodes, stateDir);
      process.stderr.write(`run ${i}/${runs}: down\n`);
      const t = performance.now();
      const down = await cli(['down', file], env);
      if (down.code !== 0) throw new Error(`archipel down failed (${down.code}):\n${down.stderr}`);
      rows.push({ up: upMs, ready: readyMs, down: performance.now() - t, pssMB: memory.kb / 1024, processes: memory.processes });
      if (i < runs) await new Promise((r) => setTimeout(r, SETTLE_MS));
    }
  } finally {
    await cli(['down', file], env).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  }
  const ready = median(rows.map((r) => r.ready));
  const down = median(rows.map((r) => r.down));
  const pss = median(rows.map((r) => r.pssMB));
  const lines = [
    `bench:up on examples/region.yaml as "${ESTATE}": ${apps} application instances, ${publicHosts.length} public frontends checked through the entry point (load average ${loadavg()[0]!.toFixed(1)})`,
    '',
    'run     up        ready     down      PSS        processes',
    ...rows.map((r, i) => `${String(i + 1).padEnd(8)}${`${seconds(r.up)} s`.padEnd(10)}${`${seconds(r.ready)} s`.padEnd(10)}${`${seconds(r.down)} s`.padEnd(10)}${`${r.pssMB.toFixed(0)} MB`.padEnd(11)}${r.processes}`),
    `median  ${''.padEnd(10)}${`${seconds(ready)} s`.padEnd(10)}${`${seconds(down)} s`.padEnd(10)}${pss.toFixed(0)} MB`,
    '',
  ];
  const verdict = (value: number, target: number, unit: string) => `${unit === 's' ? seconds(value) : value.toFixed(0)} ${unit} (target <= ${target} ${unit}${(unit === 's' ? value / 1000 : value) <= target ? ', met' : ', MISSED'})`;
  lines.push(`bench:up: median of ${rows.length}: up to ready through the entry point ${verdict(ready, TARGETS.up, 's')}, down ${verdict(down, TARGETS.down, 's')}, memory ${verdict(pss, TARGETS.memoryMB, 'MB')} PSS`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
