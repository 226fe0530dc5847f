/**
 * What every verb shares: its signature, its I/O, exit codes, argument parsing and --format.
 *
 * Exit codes (documented in the README): 0 ok, 1 a failure was found (probe difference, drill objective
 * missed, runtime error), 2 bad input or usage.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  /** One line for `archipel --help`. */
  summary: string;
  /** Full usage text. */
  usage: string;
  run: (args: string[], io: Io) => Promise<number>;
}

/** Thrown for bad command-line usage; main() prints the message and the verb's usage, exit 2. */
export class UsageError extends Error {}

/** Parse options strictly; unknown options become a UsageError listing the valid ones. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const valid = Object.keys(options).map((o) => `--${o}`).join(', ');
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (valid options: ${valid || 'none'})`);
  }
}

export type Format = 'text' | 'json';

export function parseFormat(value: string | boolean | undefined): Format {
  if (value === undefined) return 'text';
  if (value === 'text' || value === 'json') return value;
  throw new UsageError(`unknown format "${String(value)}" (valid values: text, json)`);
}

/** Stable JSON for stdout: two-space indent and a final newline. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
  };
}
