/**
 * bench:net: the local network layer on examples/region.yaml (renamed `benchnet` so it never collides with
 * a real estate): median of 3 of network bring-up (namespaces, veths, bridges, addresses, routes, both zone
 * firewalls), the probe of all pairs and ports (when the probe module provides `runProbe`), and teardown.
 * Results on stdout (a table, then a one-line summary last), progress on stderr. Needs root. Exit 0 when
 * measured (a missed target is reported, not failed: timings vary by machine), 2 when the host cannot run it.
 * Always tears down, even on failure.
 *
 *   npm run bench:net [-- --runs 3]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyseEstateText } from '../src/pipeline.ts';
import type { CompiledEstate } from '../src/compile/types.ts';
import { existingNamespaces, networkLayer } from '../src/runtime/local/network/layer.ts';
import { localNames } from '../src/runtime/local/network/names.ts';
import { readNetworkState } from '../src/runtime/local/network/state.ts';
import { run } from '../src/runtime/local/run.ts';
import { stateDirFor } from '../src/runtime/local/state-dir.ts';

const ESTATE = 'benchnet';
const TARGETS = { up: 3, probe: 30, down: 2 };
const SETTLE_MS = 10_000;
type Probe = (compiled: CompiledEstate, stateDir: string) => Promise<unknown>;

/** The probe, when part F's module exists (`runProbe`); its absence is reported, not faked. */
async function loadProbe(): Promise<Probe | undefined> {
  try {
    const module = (await import(new URL('../src/runtime/local/network/probe/index.ts', import.meta.url).href)) as { runProbe?: (options: object) => Promise<unknown> };
    const runProbe = module.runProbe;
    return runProbe ? (compiled, stateDir) => runProbe({ compiled, stateDir }) : undefined;
  } catch {
    return undefined;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (ms: number) => (ms / 1000).toFixed(2);

async function sweep(): Promise<void> {
  const names = localNames(ESTATE);
  const left = [...(await existingNamespaces())].filter((n) => names.owns(n));
  if (left.length > 0) await run(['ip', '-force', '-batch', '-'], { input: left.map((n) => `netns del ${n}\n`).join('') }).catch(() => undefined);
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string' } }, strict: true });
  const runs = Number(values.runs ?? '3');
  const problems = await networkLayer.preconditions();
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`bench:net: ${p}\n`);
    return 2;
  }
  const path = new URL('../examples/region.yaml', import.meta.url).pathname;
  const source = (await readFile(path, 'utf8')).replace(/^estate: .*$/m, `estate: ${ESTATE}`);
  const compiled = analyseEstateText(source, path).compiled;
  if (!compiled) throw new Error('examples/region.yaml does not compile');
  const root = await mkdtemp(join(tmpdir(), 'archipel-bench-net-'));
  const stateDir = await stateDirFor(ESTATE, { ARCHIPEL_STATE_DIR: root });
  const log = (m: string) => process.stderr.write(`  ${m}\n`);
  const probe = await loadProbe();
  const rows: { up: number; probe?: number; down: number }[] = [];
  let namespaces = 0;
  try {
    await sweep();
    for (let i = 1; i <= runs; i++) {
      process.stderr.write(`run ${i}/${runs}\n`);
      let t = performance.now();
      await networkLayer.up({ compiled, stateDir, log });
      const up = performance.now() - t;
      namespaces = (await readNetworkState(stateDir))?.namespaces.length ?? 0;
      let probed: number | undefined;
      if (probe) {
        t = performance.now();
        await probe(compiled, stateDir);
        probed = performance.now() - t;
      }
      t = performance.now();
      await networkLayer.down({ estate: ESTATE, stateDir, log });
      const down = performance.now() - t;
      rows.push({ up, ...(probed !== undefined ? { probe: probed } : {}), down });
      // The kernel frees deleted namespaces for several seconds more (cleanup_net), and creating namespaces
      // meanwhile is measured 2x slower: let it finish, so each run measures a bring-up on a quiet kernel.
      if (i < runs) await new Promise((r) => setTimeout(r, SETTLE_MS));
    }
  } finally {
    await networkLayer.down({ estate: ESTATE, stateDir, log }).catch(() => undefined);
    await sweep();
    await rm(root, { recursive: true, force: true });
  }
  const lines = [
    `bench:net on examples/region.yaml as "${ESTATE}": ${namespaces} namespaces, ${compiled.networks.length} networks, ${compiled.flows.length} flows (load average ${loadavg()[0]!.toFixed(1)})`,
    '',
    'run     bring-up  probe     teardown',
    ...rows.map((r, i) => `${String(i + 1).padEnd(8)}${`${seconds(r.up)} s`.padEnd(10)}${(r.probe !== undefined ? `${seconds(r.probe)} s` : 'n/a').padEnd(10)}${seconds(r.down)} s`),
  ];
  const up = median(rows.map((r) => r.up));
  const down = median(rows.map((r) => r.down));
  const probes = rows.flatMap((r) => (r.probe !== undefined ? [r.probe] : []));
  const probed = probes.length > 0 ? median(probes) : undefined;
  lines.push(`median  ${`${seconds(up)} s`.padEnd(10)}${(probed !== undefined ? `${seconds(probed)} s` : 'n/a').padEnd(10)}${seconds(down)} s`, '');
  const verdict = (ms: number, target: number) => `${seconds(ms)} s (target <= ${target} s${ms / 1000 <= target ? ', met' : ', MISSED'})`;
  lines.push(
    `bench:net: median of ${rows.length}: bring-up ${verdict(up, TARGETS.up)}, probe ${probed !== undefined ? verdict(probed, TARGETS.probe) : 'not measured (no runProbe yet)'}, teardown ${verdict(down, TARGETS.down)}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
