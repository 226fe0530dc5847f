/**
 * The network layer's state file, `<stateDir>/network.json`: what the layer has created (or is about to
 * create) for one estate. It is written BEFORE each creation step (write-ahead), so that after a crash at
 * any point `down` removes everything that may exist, and `up` converges from it. Written atomically
 * (temporary file, fsync, rename) so a crash never leaves it half-written.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, removeAtomicFile, writeJsonAtomic } from '../files.ts';

export type NsRole = 'router' | 'instance' | 'edge' | 'witness';

export interface NsRecord {
  /** Namespace name (/run/netns/NAME). */
  name: string;
  role: NsRole;
  zone?: string;
  /** Canonical address: zone/par-1, app/web/par-1/0, edge/par-1, witness/par-3. */
  address: string;
  /** Main IPv4 address (instance ip, edge ip, witness service ip, router backbone ip). */
  ip?: string;
  /** Hash of the configuration last applied inside the namespace; absent until configured. */
  config?: string;
}

export type LinkKind = 'backbone' | 'witness' | 'edge' | 'instance';

export interface LinkRecord {
  /** Interface name inside `namespace`. */
  name: string;
  namespace: string;
  peerNamespace: string;
  kind: LinkKind;
  /** Interface name inside `peerNamespace`. */
  peerName?: string;
}

export interface NetworkState {
  estate: string;
  namespaces: NsRecord[];
  links: LinkRecord[];
  /** Rules loaded in each zone router at the last `up` (for summaries). */
  firewall?: { zone: string; rules: number }[];
}

export const NETWORK_STATE_FILE = 'network.json';

/** The recorded network state, or undefined when the estate has none (never brought up, or down). */
export async function readNetworkState(stateDir: string): Promise<NetworkState | undefined> {
  const state = await readJsonFile<NetworkState>(join(stateDir, NETWORK_STATE_FILE));
  if (!state) return undefined;
  if (typeof state.estate !== 'string' || !Array.isArray(state.namespaces) || !Array.isArray(state.links)) {
    throw new Error(`${join(stateDir, NETWORK_STATE_FILE)}: not a network state file`);
  }
  return state;
}

/** Writes the state atomically and durably (sorted, so the file is stable for humans and diffs). */
export async function writeNetworkState(stateDir: string, state: NetworkState): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const sorted: NetworkState = {
    estate: state.estate,
    namespaces: [...state.namespaces].sort((a, b) => a.name.localeCompare(b.name)),
    links: [...state.links].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)),
    ...(state.firewall ? { firewall: state.firewall } : {}),
  };
  await writeJsonAtomic(join(stateDir, NETWORK_STATE_FILE), sorted);
}

/** Removes the state file (after everything it records is gone). */
export async function removeNetworkState(stateDir: string): Promise<void> {
  await removeAtomicFile(join(stateDir, NETWORK_STATE_FILE));
}
