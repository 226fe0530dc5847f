/**
 * `archipel down FILE|--estate NAME [--format json]`: removes everything the layers recorded for the
 * estate (layers in reverse order), then its state directory. Only recorded names are touched: the
 * write-ahead state covers a crash at any point of `up`. Idempotent: down twice is fine.
 */
import { existsSync } from 'node:fs';
import { LAYERS } from '../runtime/local/layers.ts';
import { resolveEstateRef } from '../runtime/local/daemon/estate-ref.ts';
import { readNetworkState } from '../runtime/local/network/state.ts';
import { healAllFaults } from '../runtime/local/network/faults/faults.ts';
import { removeStateDir, withEstateLock } from '../runtime/local/state-dir.ts';
import { selectLayers } from './up.ts';
import { rmdir } from 'node:fs/promises';
import { EXIT, parseCommandArgs, parseFormat, toJson, type Command } from './command.ts';

const USAGE = `usage: archipel down FILE [--format json]
       archipel down --estate NAME [--format json]

Remove every namespace, link, rule, process and file archipel created for the estate on this host, and
nothing else. Safe to run twice. Needs root.

options:
  --estate NAME      name the estate instead of giving its file (e.g. after the file changed)
  --format json      machine-readable summary on stdout

environment:
  ARCHIPEL_LAYERS    only these layers, comma-separated; the state dir then goes only once empty

exit codes: 0 removed (or nothing to remove), 1 something could not be removed, 2 bad input or usage`;

export const command: Command = {
  summary: 'remove everything the estate created on this host',
  usage: USAGE,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(args, { estate: { type: 'string' }, format: { type: 'string' } });
    const format = parseFormat(values.format);
    const resolved = await resolveEstateRef(positionals, values.estate, io);
    if (!resolved) return EXIT.USAGE;
    const { estate, stateDir } = resolved.ref;
    const report = (removed: number, seconds: number, note?: string) => {
      if (format === 'json') io.out(toJson({ estate, removedNamespaces: removed, seconds, ...(note ? { note } : {}) }));
      else io.out(`estate ${estate} down: ${note ?? `${removed} namespaces removed in ${seconds} s`}\n`);
    };
    if (!existsSync(stateDir)) {
      report(0, 0, 'nothing recorded (not up)');
      return EXIT.OK;
    }
    const layers = selectLayers(io.env);
    const problems = (await Promise.all(layers.map((l) => l.preconditions()))).flat();
    if (problems.length > 0) {
      for (const problem of [...new Set(problems)]) io.err(`archipel down: ${problem}\n`);
      return EXIT.USAGE;
    }
    const started = performance.now();
    const log = (message: string) => io.err(`${message}\n`);
    const failures: string[] = [];
    const namespaces = (await readNetworkState(stateDir).catch(() => undefined))?.namespaces.length ?? 0;
    try {
      await withEstateLock(stateDir, async () => {
        // Injected faults first: a frozen process cannot die until thawed, and freezer cgroups outlive
        // the namespaces, so every layer's down would otherwise stall on or leave them.
        const healed = await healAllFaults(estate, stateDir, await readNetworkState(stateDir).catch(() => undefined));
        if (healed > 0) log(`faults: ${healed} healed before removal`);
        for (const layer of [...layers].reverse()) {
          try {
            await layer.down({ estate, stateDir, log });
          } catch (error) {
            failures.push(`${layer.name}: ${(error as Error).message}`);
          }
        }
      });
    } catch (error) {
      failures.push((error as Error).message);
    }
    if (failures.length > 0) {
      for (const failure of failures) io.err(`archipel down: ${failure}\n`);
      io.err(`the state directory ${stateDir} is kept: fix the cause and run down again\n`);
      return EXIT.FAILURE;
    }
    if (layers.length === LAYERS.length) await removeStateDir(estate, io.env);
    else await rmdir(stateDir).catch(() => undefined); // other layers' files remain: keep it
    report(namespaces, Math.round(performance.now() - started) / 1000);
    return EXIT.OK;
  },
};
