/**
 * The compute layer's state file, `<stateDir>/compute.json`: the instances it has created or is about to
 * create (write-ahead: recorded before their service directory is written), the uids it has allocated, and
 * the runsvdir supervising them. Written atomically (temporary file, fsync, rename).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, removeAtomicFile, writeJsonAtomic } from '../files.ts';
import type { ComputeInstance } from './service.ts';

export const COMPUTE_STATE_FILE = 'compute.json';
/** Everything the layer writes lives under `<stateDir>/compute/`. */
export const COMPUTE_DIR = 'compute';

export interface ComputeState {
  format: 1;
  estate: string;
  /** Application name -> uid (and gid). */
  uids: Record<string, number>;
  /** Sorted by address. */
  instances: ComputeInstance[];
  /** The supervisor's pid when last started or adopted (it is also found by its command line). */
  runsvdirPid?: number;
}

/** Directories of the layer, all derived from the state directory. */
export function computePaths(stateDir: string) {
  const root = join(stateDir, COMPUTE_DIR);
  return {
    root,
    /** runsvdir's directory: one service directory per instance. */
    sv: join(root, 'sv'),
    /** Service directories are prepared here, then renamed into sv/ whole, so runsvdir never sees half of one. */
    staging: join(root, 'staging'),
    data: join(root, 'data'),
    www: join(root, 'www'),
    pidFile: join(root, 'runsvdir.pid'),
  };
}

export type ComputePaths = ReturnType<typeof computePaths>;

export async function readComputeState(stateDir: string): Promise<ComputeState | undefined> {
  const state = await readJsonFile<ComputeState>(join(stateDir, COMPUTE_STATE_FILE));
  if (!state) return undefined;
  if (state.format !== 1 || typeof state.estate !== 'string' || !Array.isArray(state.instances)) {
    throw new Error(`${join(stateDir, COMPUTE_STATE_FILE)}: not a compute state file`);
  }
  return state;
}

export async function writeComputeState(stateDir: string, state: ComputeState): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const sorted: ComputeState = { ...state, instances: [...state.instances].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)) };
  await writeJsonAtomic(join(stateDir, COMPUTE_STATE_FILE), sorted);
}

export async function removeComputeState(stateDir: string): Promise<void> {
  await removeAtomicFile(join(stateDir, COMPUTE_STATE_FILE));
}
