/**
 * File primitives every layer of the local target shares: atomic writes of state files, liveness of a
 * recorded pid, and a lock file holding its owner's pid (taken over when the owner died, e.g. kill -9).
 */
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';

/** Writes `content` to `path` through a temporary file, fsync and rename: readers see the old or the new file. */
export async function writeFileAtomic(path: string, content: string, mode = 0o600): Promise<void> {
  const temporary = `${path}.tmp`;
  const handle = await open(temporary, 'w', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}

/** A state file as stable JSON (2-space indent, final newline), written atomically. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Removes a file written by writeFileAtomic and any temporary left by a crash. */
export async function removeAtomicFile(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.tmp`, { force: true });
}

/** True while the process exists and is not a zombie (a killed child not yet reaped still has a pid). */
export async function processAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The lock is held by a live process other than this one. */
export class LockBusyError extends Error {
  constructor(
    readonly path: string,
    readonly holder: number,
  ) {
    super(`${path} is held by process ${holder}`);
  }
}

export interface PidLockOptions {
  /** How long to wait for a live holder before LockBusyError (0: fail at once). */
  waitMs: number;
  /** Treat a lock recorded by this very process as stale (a previous holder in this process crashed). */
  takeOverOwn?: boolean;
}

/**
 * Runs `task` holding `path` (created exclusively, holding this pid). A lock whose holder is dead or
 * unreadable is taken over; a live holder is waited for up to options.waitMs.
 */
export async function withPidLock<T>(path: string, options: PidLockOptions, task: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      const stale = !Number.isInteger(holder) || holder <= 0 || (options.takeOverOwn && holder === process.pid) || !(await processAlive(holder));
      if (stale) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() - started >= options.waitMs) throw new LockBusyError(path, holder);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await task();
  } finally {
    await rm(path, { force: true });
  }
}

/** A JSON state file, or undefined when it does not exist (never written, or removed by down). */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as T;
}
