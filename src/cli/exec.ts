/**
 * `archipel exec FILE|--estate NAME INSTANCE -- CMD [ARGS...]`: runs a command inside an instance's
 * isolation, exactly as the instance itself runs (its network namespace, a fresh bubblewrap mount namespace
 * with the same view, its application's uid, no capabilities), with the terminal's stdin/stdout/stderr.
 * The command's exit code is passed through (128 + signal number when it is killed).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { resolveEstateRef } from '../runtime/local/daemon/estate-ref.ts';
import { existingSecretsDir, hostLayout, instancePaths } from '../runtime/local/compute/layer.ts';
import { computePaths, readComputeState } from '../runtime/local/compute/state.ts';
import { isolationArgv, type ComputeInstance } from '../runtime/local/compute/service.ts';
import { EXIT, UsageError, parseCommandArgs, type Command } from './command.ts';

const USAGE = `usage: archipel exec FILE INSTANCE -- CMD [ARGS...]
       archipel exec --estate NAME INSTANCE -- CMD [ARGS...]

Run CMD inside INSTANCE (app/web/par-1/0 or web.par-1.0) with the instance's isolation: its network
namespace, the same mount view (/usr, a minimal /etc, its /data, a private /tmp), its application's uid,
no capabilities. The environment holds APP, ZONE, INSTANCE, IP and PORT. Exit code passed through.

options:
  --estate NAME   name the estate instead of giving its file

exit codes: CMD's own; 2 bad input or usage; 1 the instance is not running`;

/** Splits `args` at the first `--`: archipel's own arguments, then the command. */
export function splitCommand(args: string[]): { own: string[]; command: string[] } {
  const at = args.indexOf('--');
  if (at < 0) throw new UsageError('missing "-- CMD [ARGS...]"');
  const command = args.slice(at + 1);
  if (command.length === 0) throw new UsageError('missing CMD after "--"');
  return { own: args.slice(0, at), command };
}

export function findInstance(instances: ComputeInstance[], name: string): ComputeInstance {
  const found = instances.find((i) => i.address === name || i.service === name);
  if (!found) throw new UsageError(`unknown instance "${name}" (valid values: ${instances.map((i) => i.address).join(', ') || 'none running'})`);
  return found;
}

export const command: Command = {
  summary: "run a command inside an instance's isolation",
  usage: USAGE,
  run: async (args, io) => {
    const { own, command: cmd } = splitCommand(args);
    const { values, positionals } = parseCommandArgs(own, { estate: { type: 'string' } });
    const resolved = await resolveEstateRef(positionals, values.estate, io);
    if (!resolved) return EXIT.USAGE;
    const [name, ...extra] = resolved.rest;
    if (!name) throw new UsageError('missing INSTANCE');
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const state = await readComputeState(resolved.ref.stateDir);
    if (!state) {
      io.err(`archipel exec: estate ${resolved.ref.estate} has no running instances (run archipel up first)\n`);
      return EXIT.FAILURE;
    }
    const instance = findInstance(state.instances, name);
    const paths = computePaths(resolved.ref.stateDir);
    const secrets = await existingSecretsDir(resolved.ref.stateDir, instance.address);
    const argv = [...isolationArgv(instance, instancePaths(paths, instance, secrets), await hostLayout(), { supervised: false }), ...cmd];
    return await new Promise<number>((resolve) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env: {} });
      child.on('error', (error) => {
        io.err(`archipel exec: ${error.message}\n`);
        resolve(EXIT.FAILURE);
      });
      child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
    });
  },
};
