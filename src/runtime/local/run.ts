/**
 * The one way the local target runs a program: an argument array (never a shell string), optional stdin,
 * a timeout, and on failure an error that carries the command and its stderr, so that a failed `ip` or
 * `nft` says why.
 */
import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Written to the child's stdin, then closed. */
  input?: string;
  /** Kill the child after this many milliseconds (default 60 s). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

export class RunError extends Error {
  constructor(
    message: string,
    readonly command: string[],
    readonly code: number | null,
    readonly stderr: string,
    readonly stdout: string = '',
  ) {
    super(message);
  }
}

/** Runs `command[0]` with the remaining arguments; resolves with its output, rejects with a RunError. */
export function run(command: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = command;
  if (!file) throw new Error('run: empty command');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = error.code === 'ENOENT' ? `${file}: not found` : error.message;
      reject(new RunError(`${command.join(' ')}: ${why}`, [...command], null, ''));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) return resolve({ stdout, stderr });
      const why = timedOut ? 'timed out' : signal ? `killed by ${signal}` : `exit ${code}`;
      const detail = stderr.trim().split('\n').slice(0, 20).join('\n');
      reject(new RunError(`${command.join(' ')}: ${why}${detail ? `\n${detail}` : ''}`, [...command], code, stderr, stdout));
    });
    child.stdin.on('error', () => undefined); // a child that exits without reading stdin is reported by 'close'
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `tasks` with at most `limit` in flight; rejects with the first error once all started ones settle. */
export async function runAll<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}
