/**
 * Where the local target keeps an estate's state: `$ARCHIPEL_STATE_DIR/<estate>` or
 * `/var/lib/archipel/<estate>`, created 0700 (parents 0711: traversable, not listable), so that only root
 * reads what the layers record (names, addresses, later secrets).
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NAME_PATTERN } from '../../spec/schema.ts';
import { LockBusyError, withPidLock } from './files.ts';

export const DEFAULT_STATE_ROOT = '/var/lib/archipel';

/** Estate names become a directory name: the schema's pattern, checked again here because it is a path. */
const ESTATE_NAME = NAME_PATTERN;

export function checkEstateName(estate: string): string {
  if (!ESTATE_NAME.test(estate)) throw new Error(`invalid estate name "${estate}" (must match ${ESTATE_NAME})`);
  return estate;
}

/** The state directory path (not created). */
export function stateDirPath(estate: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.ARCHIPEL_STATE_DIR || DEFAULT_STATE_ROOT, checkEstateName(estate));
}

/** The estate's state directory, created 0700 with its parents 0711. */
export async function stateDirFor(estate: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const root = env.ARCHIPEL_STATE_DIR || DEFAULT_STATE_ROOT;
  const dir = stateDirPath(estate, env);
  await mkdir(root, { recursive: true, mode: 0o711 });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  return dir;
}

/** Removes the estate's state directory (after every layer is down). */
export async function removeStateDir(estate: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await rm(stateDirPath(estate, env), { recursive: true, force: true });
}

/**
 * Runs `task` holding the estate's lock (`<stateDir>/lock`, holding the pid), so that two `up`/`down` of one
 * estate never interleave. A lock left by a dead process (kill -9) is taken over.
 */
export async function withEstateLock<T>(stateDir: string, task: () => Promise<T>): Promise<T> {
  const path = join(stateDir, 'lock');
  try {
    return await withPidLock(path, { waitMs: 0, takeOverOwn: true }, task);
  } catch (error) {
    if (error instanceof LockBusyError) throw new Error(`another archipel (pid ${error.holder}) is working on this estate (${path})`);
    throw error;
  }
}
