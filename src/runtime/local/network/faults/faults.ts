/**
 * Fault injection primitives that drills compose, each reversible and recorded in `<stateDir>/faults.json`
 * BEFORE it is applied (so heal, and down, undo exactly what may exist):
 * - zone-loss: the zone goes SILENT, as a flooded datacenter does: its processes frozen (cgroup v1 freezer,
 *   one cgroup per fault) and its router's backbone, witness and edge links dropping everything (a table
 *   `inet archipel_fault` hooked before archipel's firewall: peers see silence, never resets);
 * - backbone-cut: both routers drop on their backbone interfaces;
 * - witness-loss: the witness's processes frozen and its links dropping;
 * - instance-crash: kill -9 of the processes in one instance's namespace (healing forgets the record: the
 *   supervisor restarts the instance).
 * The drop tables are derived from the whole fault list and replaced atomically at every change.
 */
import { mkdir, readdir, readFile, readlink, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../run.ts';
import { checkKernelName } from '../names.ts';
import type { NetworkState } from '../state.ts';

export const FAULT_KINDS = ['zone-loss', 'backbone-cut', 'witness-loss', 'instance-crash'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRecord {
  kind: FaultKind;
  /** Zone (zone-loss), instance address (instance-crash); absent otherwise. */
  target?: string;
  /** Freezer cgroup holding the frozen processes. */
  cgroup?: string;
  /** Namespaces whose processes are frozen (or were killed). */
  namespaces: string[];
  /** Processes frozen or killed. */
  pids: number[];
  injectedAt: string;
}

export const FAULTS_FILE = 'faults.json';
export const FREEZER_ROOT = '/sys/fs/cgroup/freezer';
const SAFE = /^[a-z0-9][a-z0-9-]{0,100}$/;

export async function listFaults(stateDir: string): Promise<FaultRecord[]> {
  try {
    return (JSON.parse(await readFile(join(stateDir, FAULTS_FILE), 'utf8')) as { faults: FaultRecord[] }).faults;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function writeFaults(stateDir: string, faults: FaultRecord[]): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, FAULTS_FILE);
  await writeFile(`${path}.tmp`, `${JSON.stringify({ faults }, null, 2)}\n`, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}

/** Interfaces of `namespace` on links of the given kinds. */
function interfaces(state: NetworkState, namespace: string, kinds: string[]): string[] {
  const out: string[] = [];
  for (const l of state.links) {
    if (!kinds.includes(l.kind)) continue;
    if (l.namespace === namespace) out.push(l.name);
    else if (l.peerNamespace === namespace && l.peerName) out.push(l.peerName);
  }
  return [...new Set(out)].sort();
}

/** Per namespace, the interfaces the active faults silence. */
export function dropPlan(state: NetworkState, faults: FaultRecord[]): Map<string, string[]> {
  const plan = new Map<string, Set<string>>();
  const add = (ns: string, names: string[]) => {
    const set = plan.get(ns) ?? new Set<string>();
    for (const n of names) set.add(checkKernelName(n));
    plan.set(ns, set);
  };
  for (const f of faults) {
    if (f.kind === 'zone-loss') {
      const router = state.namespaces.find((n) => n.role === 'router' && n.zone === f.target);
      if (router) add(router.name, interfaces(state, router.name, ['backbone', 'witness', 'edge']));
    } else if (f.kind === 'backbone-cut') {
      for (const r of state.namespaces.filter((n) => n.role === 'router')) add(r.name, interfaces(state, r.name, ['backbone']));
    } else if (f.kind === 'witness-loss') {
      for (const w of state.namespaces.filter((n) => n.role === 'witness')) add(w.name, interfaces(state, w.name, ['witness']));
    }
  }
  return new Map([...plan].map(([ns, set]) => [ns, [...set].sort()]));
}

/** The drop table for one namespace: hooked before archipel's firewall so nothing is rejected, only dropped. */
export function dropTable(names: string[]): string {
  const set = names.map((n) => `"${checkKernelName(n)}"`).join(', ');
  return [
    'table inet archipel_fault',
    'delete table inet archipel_fault',
    'table inet archipel_fault {',
    '  chain pre {',
    '    type filter hook prerouting priority -300; policy accept;',
    `    iifname { ${set} } drop`,
    '  }',
    '  chain post {',
    '    type filter hook postrouting priority -300; policy accept;',
    `    oifname { ${set} } drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}

async function applyDrops(state: NetworkState, faults: FaultRecord[]): Promise<void> {
  const plan = dropPlan(state, faults);
  const candidates = state.namespaces.filter((n) => n.role === 'router' || n.role === 'witness');
  for (const ns of candidates) {
    const names = plan.get(ns.name) ?? [];
    const where = ['nsenter', `--net=/run/netns/${checkKernelName(ns.name)}`, 'nft'];
    if (names.length > 0) await run([...where, '-f', '-'], { input: dropTable(names) });
    else await run([...where, 'delete', 'table', 'inet', 'archipel_fault']).catch(() => undefined);
  }
}

/** Pids whose network namespace is one of `namespaces`. */
export async function pidsIn(namespaces: string[]): Promise<number[]> {
  const inodes = new Set<string>();
  for (const ns of namespaces) {
    const s = await stat(`/run/netns/${checkKernelName(ns)}`).catch(() => undefined);
    if (s) inodes.add(`net:[${s.ino}]`);
  }
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const link = await readlink(`/proc/${entry}/ns/net`).catch(() => undefined);
    if (link && inodes.has(link)) pids.push(Number(entry));
  }
  return pids.sort((a, b) => a - b);
}

async function freeze(cgroup: string, pids: number[]): Promise<void> {
  await mkdir(cgroup, { recursive: true });
  for (const pid of pids) await writeFile(join(cgroup, 'cgroup.procs'), `${pid}\n`).catch(() => undefined); // a pid may be gone
  await writeFile(join(cgroup, 'freezer.state'), 'FROZEN\n');
  for (let i = 0; i < 100; i++) {
    if ((await readFile(join(cgroup, 'freezer.state'), 'utf8')).trim() === 'FROZEN') return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function thaw(cgroup: string): Promise<void> {
  const state = await readFile(join(cgroup, 'freezer.state'), 'utf8').catch(() => undefined);
  if (state === undefined) return;
  await writeFile(join(cgroup, 'freezer.state'), 'THAWED\n');
  const procs = (await readFile(join(cgroup, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean);
  for (const pid of procs) await writeFile(join(FREEZER_ROOT, 'cgroup.procs'), `${pid}\n`).catch(() => undefined);
  await rmdir(cgroup).catch(() => undefined);
}

export interface FaultContext {
  estate: string;
  stateDir: string;
  state: NetworkState;
}

/** Injects a fault (recorded first); returns its record. Throws Error with the valid values on a bad target. */
export async function injectFault(ctx: FaultContext, kind: FaultKind, target?: string): Promise<FaultRecord> {
  if (!FAULT_KINDS.includes(kind)) throw new Error(`unknown fault "${kind}" (valid: ${FAULT_KINDS.join(', ')})`);
  const faults = await listFaults(ctx.stateDir);
  const same = faults.find((f) => f.kind === kind && f.target === target);
  if (same && kind !== 'instance-crash') return same;
  let namespaces: string[] = [];
  if (kind === 'zone-loss') {
    const zones = [...new Set(ctx.state.namespaces.filter((n) => n.role === 'router').map((n) => n.zone!))].sort();
    if (!target || !zones.includes(target)) throw new Error(`unknown zone "${target ?? ''}" (valid: ${zones.join(', ')})`);
    namespaces = ctx.state.namespaces.filter((n) => n.zone === target).map((n) => n.name);
  } else if (kind === 'witness-loss') {
    namespaces = ctx.state.namespaces.filter((n) => n.role === 'witness').map((n) => n.name);
    if (namespaces.length === 0) throw new Error('the estate has no witness');
  } else if (kind === 'instance-crash') {
    const instances = ctx.state.namespaces.filter((n) => n.role === 'instance');
    const ns = instances.find((n) => n.address === target);
    if (!ns) throw new Error(`unknown instance "${target ?? ''}" (valid: ${instances.map((n) => n.address).sort().join(', ')})`);
    namespaces = [ns.name];
  }
  const freezes = kind === 'zone-loss' || kind === 'witness-loss';
  const cgroupName = `archipel-${ctx.estate}-${kind}${target && kind === 'zone-loss' ? `-${target}` : ''}`;
  if (!SAFE.test(cgroupName)) throw new Error(`invalid cgroup name ${cgroupName}`);
  const record: FaultRecord = {
    kind,
    ...(target ? { target } : {}),
    ...(freezes ? { cgroup: join(FREEZER_ROOT, cgroupName) } : {}),
    namespaces,
    pids: [],
    injectedAt: new Date().toISOString(),
  };
  const next = [...faults.filter((f) => f.kind !== 'instance-crash' || f.target !== target), record];
  await writeFaults(ctx.stateDir, next); // write-ahead: heal and down know about it even if we die now
  record.pids = await pidsIn(namespaces);
  if (kind === 'instance-crash') {
    for (const pid of record.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  if (record.cgroup) await freeze(record.cgroup, record.pids);
  await applyDrops(ctx.state, next);
  await writeFaults(ctx.stateDir, next);
  return record;
}

/** Heals one kind (every fault of it) or all; returns the healed records. */
export async function healFault(ctx: FaultContext, kind: FaultKind | 'all'): Promise<FaultRecord[]> {
  const faults = await listFaults(ctx.stateDir);
  const healed = faults.filter((f) => kind === 'all' || f.kind === kind);
  const remaining = faults.filter((f) => !healed.includes(f));
  await applyDrops(ctx.state, remaining);
  for (const f of healed) if (f.cgroup) await thaw(f.cgroup);
  await writeFaults(ctx.stateDir, remaining);
  return healed;
}

/**
 * For `down`: heals every recorded fault of the estate (frozen processes cannot die until thawed, and
 * freezer cgroups outlive namespaces), then removes faults.json. A no-op when nothing is recorded.
 */
export async function healAllFaults(estate: string, stateDir: string, state: NetworkState | undefined): Promise<number> {
  const faults = await listFaults(stateDir);
  if (faults.length === 0) return 0;
  if (state) await healFault({ estate, stateDir, state }, 'all');
  else for (const f of faults) if (f.cgroup) await thaw(f.cgroup);
  await rm(join(stateDir, FAULTS_FILE), { force: true });
  return faults.length;
}
