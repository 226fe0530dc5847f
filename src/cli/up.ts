/**
 * `archipel up FILE [--dry-run] [--format json]`: brings the estate up on the local target, or converges it
 * when it is already up (only the difference changes; the firewalls are always reloaded atomically).
 * Analyse (diagnostics: exit 2) -> preconditions of every layer (exit 2, nothing created) -> layers in
 * order, progress with timings on stderr -> a summary on stdout. A failure mid-way exits 1 with the state
 * consistent: `up` again converges, `down` removes everything.
 */
import { resolve } from 'node:path';
import { analyseEstateFile } from '../pipeline.ts';
import { formatDiagnostics, hasErrors } from '../spec/diagnostics.ts';
import type { PlannedAction } from '../runtime/local/layer.ts';
import { LAYERS } from '../runtime/local/layers.ts';
import type { Layer } from '../runtime/local/layer.ts';
import { readNetworkState } from '../runtime/local/network/state.ts';
import { stateDirFor, stateDirPath, withEstateLock } from '../runtime/local/state-dir.ts';
import { EXIT, UsageError, parseCommandArgs, parseFormat, toJson, type Command } from './command.ts';

const USAGE = `usage: archipel up FILE [--dry-run] [--format json]

Bring the estate up on this host (two zones in network namespaces, firewalls, ...), or converge it when it
is already up: only what differs from the file changes; the zone firewalls are always reloaded atomically.
Progress goes to stderr, the summary to stdout. Needs root.

options:
  --dry-run          print what would be done, change nothing
  --format json      machine-readable summary (or plan) on stdout

environment:
  ARCHIPEL_STATE_DIR   where estates keep their state (default /var/lib/archipel)
  ARCHIPEL_LAYERS      only these layers, comma-separated (e.g. network: the topology without processes)

exit codes: 0 up, 1 a layer failed (re-run up to converge, or down), 2 bad input, usage or host not ready`;

const SIGN: Record<PlannedAction['action'], string> = { create: '+', update: '~', delete: '-', keep: '=' };

export const command: Command = {
  summary: 'bring the estate up on this host, or converge it to the file',
  usage: USAGE,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(args, { 'dry-run': { type: 'boolean' }, format: { type: 'string' } });
    const format = parseFormat(values.format);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing FILE' : `one FILE expected, got ${positionals.length}`);
    const analysis = await analyseEstateFile(resolve(io.cwd, positionals[0]!));
    if (analysis.diagnostics.length > 0) io.err(`${formatDiagnostics(analysis.diagnostics, analysis.source)}\n`);
    const compiled = analysis.compiled;
    if (hasErrors(analysis.diagnostics) || !compiled) return EXIT.USAGE;

    const layers = selectLayers(io.env);
    const problems = (await Promise.all(layers.map((l) => l.preconditions()))).flat();
    if (problems.length > 0) {
      for (const problem of [...new Set(problems)]) io.err(`archipel up: ${problem}\n`);
      io.err('nothing was created\n');
      return EXIT.USAGE;
    }
    const log = (message: string) => io.err(`${message}\n`);

    if (values['dry-run']) {
      const stateDir = stateDirPath(compiled.estate, io.env);
      const plans = [];
      for (const layer of layers) plans.push({ layer: layer.name, actions: await layer.plan({ compiled, stateDir, log }) });
      if (format === 'json') io.out(toJson({ estate: compiled.estate, dryRun: true, layers: plans }));
      else {
        const lines = [`estate ${compiled.estate}: plan (nothing changed)`];
        for (const { layer, actions } of plans) {
          const kept = actions.filter((a) => a.action === 'keep').length;
          lines.push(`${layer}:`);
          for (const a of actions.filter((x) => x.action !== 'keep')) lines.push(`  ${SIGN[a.action]} ${a.address}  ${a.reason}`);
          lines.push(`  = ${kept} unchanged`);
        }
        io.out(`${lines.join('\n')}\n`);
      }
      return EXIT.OK;
    }

    const started = performance.now();
    const stateDir = await stateDirFor(compiled.estate, io.env);
    const timings: { layer: string; seconds: number }[] = [];
    try {
      await withEstateLock(stateDir, async () => {
        for (const layer of layers) {
          const t0 = performance.now();
          log(`${layer.name}: up`);
          await layer.up({ compiled, stateDir, log });
          timings.push({ layer: layer.name, seconds: round((performance.now() - t0) / 1000) });
          log(`${layer.name}: done in ${timings.at(-1)!.seconds} s`);
        }
      });
    } catch (error) {
      io.err(`archipel up: ${(error as Error).message}\n`);
      io.err(`the state is consistent: run \`archipel up ${positionals[0]}\` again to converge, or \`archipel down ${positionals[0]}\` to remove everything\n`);
      return EXIT.FAILURE;
    }
    const network = await readNetworkState(stateDir);
    const summary = {
      estate: compiled.estate,
      namespaces: network?.namespaces.length ?? 0,
      links: network?.links.length ?? 0,
      firewalls: network?.firewall ?? [],
      rules: (network?.firewall ?? []).reduce((sum, f) => sum + f.rules, 0),
      seconds: round((performance.now() - started) / 1000),
      layers: timings,
      stateDir,
    };
    if (format === 'json') io.out(toJson(summary));
    else {
      io.out(
        `estate ${summary.estate} up: ${summary.namespaces} namespaces, ${summary.links} links, ${summary.firewalls.length} zone firewalls (${summary.rules} rules) in ${summary.seconds} s\n`,
      );
    }
    return EXIT.OK;
  },
};

const round = (x: number) => Math.round(x * 100) / 100;

/**
 * The layers to run: all of LAYERS, or those named in ARCHIPEL_LAYERS (in LAYERS' order), e.g. `network` to
 * build and test the topology alone. An unknown name is a usage error listing the valid ones.
 */
export function selectLayers(env: NodeJS.ProcessEnv, all: Layer[] = LAYERS): Layer[] {
  const wanted = env.ARCHIPEL_LAYERS?.split(',').map((n) => n.trim()).filter(Boolean);
  if (!wanted || wanted.length === 0) return all;
  const unknown = wanted.filter((n) => !all.some((l) => l.name === n));
  if (unknown.length > 0) throw new UsageError(`unknown layer "${unknown[0]}" in ARCHIPEL_LAYERS (valid layers: ${all.map((l) => l.name).join(', ')})`);
  return all.filter((l) => wanted.includes(l.name));
}
