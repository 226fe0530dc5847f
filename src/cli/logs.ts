/**
 * `archipel logs FILE|--estate NAME APP [--instance ADDR] [--lines N] [--format json]`: the last lines of
 * an application's instance logs (svlogd's `current` file of each instance), each line prefixed by its
 * instance. Reads files only: works whether or not the daemon runs.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveEstateRef } from '../runtime/local/daemon/estate-ref.ts';
import { computePaths, readComputeState } from '../runtime/local/compute/state.ts';
import type { ComputeInstance } from '../runtime/local/compute/service.ts';
import { EXIT, UsageError, parseCommandArgs, parseFormat, toJson, type Command } from './command.ts';

const USAGE = `usage: archipel logs FILE APP [--instance ADDRESS] [--lines N] [--format json]
       archipel logs --estate NAME APP [...]

Print the last lines (default 50) of each instance of APP, prefixed by the instance address. Lines carry
svlogd's UTC timestamp. Logs rotate at 1 MB, 5 files kept, under the estate's state directory.

options:
  --instance ADDRESS   one instance only (app/web/par-1/0)
  --lines N            lines per instance (default 50)
  --estate NAME        name the estate instead of giving its file
  --format json        machine-readable output on stdout

exit codes: 0 ok, 1 the estate's instances are not up, 2 bad input or usage`;

export interface InstanceLog {
  instance: string;
  lines: string[];
}

/** The last `count` lines of a text (pure). */
export function lastLines(text: string, count: number): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return count <= 0 ? [] : lines.slice(-count);
}

/** Instances of `app` (optionally one address), or a UsageError listing the valid values. */
export function selectInstances(instances: ComputeInstance[], app: string, address?: string): ComputeInstance[] {
  const apps = [...new Set(instances.map((i) => i.app))].sort();
  if (!apps.includes(app)) throw new UsageError(`unknown application "${app}" (valid values: ${apps.join(', ') || 'none running'})`);
  const ofApp = instances.filter((i) => i.app === app);
  if (address === undefined) return ofApp;
  const one = ofApp.filter((i) => i.address === address || i.service === address);
  if (one.length === 0) throw new UsageError(`unknown instance "${address}" (valid values: ${ofApp.map((i) => i.address).join(', ')})`);
  return one;
}

/** Human output: every line prefixed by its instance (pure). */
export function formatLogs(logs: InstanceLog[]): string {
  const width = Math.max(0, ...logs.map((l) => l.instance.length));
  return logs.flatMap((l) => l.lines.map((line) => `${l.instance.padEnd(width)} | ${line}\n`)).join('');
}

export const command: Command = {
  summary: "print an application's instance logs",
  usage: USAGE,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(args, {
      instance: { type: 'string' },
      lines: { type: 'string' },
      estate: { type: 'string' },
      format: { type: 'string' },
    });
    const format = parseFormat(values.format);
    const count = values.lines === undefined ? 50 : Number(values.lines);
    if (!Number.isInteger(count) || count < 0) throw new UsageError(`--lines must be a whole number, got "${values.lines}"`);
    const resolved = await resolveEstateRef(positionals, values.estate, io);
    if (!resolved) return EXIT.USAGE;
    const [app, ...extra] = resolved.rest;
    if (!app) throw new UsageError('missing APP');
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const state = await readComputeState(resolved.ref.stateDir);
    if (!state) {
      io.err(`archipel logs: estate ${resolved.ref.estate} has no running instances (run archipel up first)\n`);
      return EXIT.FAILURE;
    }
    const paths = computePaths(resolved.ref.stateDir);
    const logs: InstanceLog[] = [];
    for (const instance of selectInstances(state.instances, app, values.instance)) {
      const text = await readFile(join(paths.sv, instance.service, 'log', 'main', 'current'), 'utf8').catch(() => '');
      logs.push({ instance: instance.address, lines: lastLines(text, count) });
    }
    io.out(format === 'json' ? toJson({ estate: resolved.ref.estate, app, logs }) : formatLogs(logs));
    return EXIT.OK;
  },
};
