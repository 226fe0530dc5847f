/**
 * The estate's observed status, read from what the layers recorded and from the kernel: namespaces present,
 * zone firewall counters and denied-flow log size (nft inside each router namespace), and the compute
 * layer's instances (pid, health, restarts) when its state exists. Served by the daemon at GET /status and
 * read directly by `archipel status` when no daemon answers.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { readComputeViews } from '../compute/index.ts';
import { readNetworkState, type NetworkState } from '../network/state.ts';
import { run } from '../run.ts';

/** Runs a program with an argument array and returns its stdout; rejects on a non-zero exit or a timeout. */
export type Runner = (file: string, args: string[]) => Promise<string>;

/** The default runner: the local target's spawn helper (argument arrays only), 5 s timeout. */
export const execRunner: Runner = async (file, args) => (await run([file, ...args], { timeoutMs: 5000 })).stdout;

/** One instance as the compute layer reports it. */
export interface ComputeInstanceView {
  address: string;
  pid?: number;
  /** e.g. healthy, unhealthy, starting, down, crash-loop. */
  health?: string;
  restarts?: number;
}

/** Reads the compute layer's view of its instances; undefined when the compute layer has no state. */
export type ComputeReader = (stateDir: string) => Promise<ComputeInstanceView[] | undefined>;

export interface CounterValue {
  packets: number;
  bytes: number;
}

export interface ZoneStatus {
  zone: string;
  router: string;
  present: boolean;
  /** Named counters of the zone firewall (declared, data, replication, quorum, edge, backup, denied...). */
  counters?: Record<string, CounterValue>;
  /** Distinct denied (source, destination, protocol, port) tuples currently in the firewall's @denied set. */
  deniedFlows?: number;
  /** Why the firewall could not be read (table not loaded, namespace gone). */
  error?: string;
}

export interface InstanceStatus {
  address: string;
  owner: string;
  zone?: string;
  namespace: string;
  ip?: string;
  present: boolean;
  pid?: number;
  health?: string;
  restarts?: number;
}

export interface ApplicationStatus {
  owner: string;
  instances: number;
  present: number;
  /** Instances reported healthy by the compute layer (absent without compute state). */
  healthy?: number;
}

export interface EstateStatus {
  estate: string;
  /** Where the answer comes from: the running daemon, or the state files read by the CLI itself. */
  source: 'daemon' | 'state-files';
  /** False when nothing is recorded: the estate is not up. */
  up: boolean;
  healthy: boolean;
  /** One line per thing that is down, sorted. */
  problems: string[];
  zones: ZoneStatus[];
  applications: ApplicationStatus[];
  instances: InstanceStatus[];
  /** Edge and witness namespaces. */
  infrastructure: { address: string; namespace: string; role: string; present: boolean }[];
  /** Whether compute state exists (pid, health and restarts are reported only then). */
  compute: boolean;
  daemon?: { pid: number; startedAt: string; lastCheckAt?: string };
  /** When the daemon collected this status (its answers may be up to one check interval old). */
  collectedAt?: string;
}

export interface StatusDeps {
  run?: Runner;
  readCompute?: ComputeReader;
  /** Where named network namespaces live (tests use a tmp dir). */
  netnsDir?: string;
  readNetwork?: (stateDir: string) => Promise<NetworkState | undefined>;
}

const HEALTHY = new Set(['healthy', 'up', 'run', 'running']);

function parseCounters(json: string): Record<string, CounterValue> {
  const items = (JSON.parse(json) as { nftables?: { counter?: { name: string; packets: number; bytes: number } }[] }).nftables ?? [];
  const counters: Record<string, CounterValue> = {};
  for (const item of items) if (item.counter) counters[item.counter.name] = { packets: item.counter.packets, bytes: item.counter.bytes };
  return Object.fromEntries(Object.entries(counters).sort(([a], [b]) => a.localeCompare(b)));
}

function parseSetSize(json: string): number {
  const items = (JSON.parse(json) as { nftables?: { set?: { elem?: unknown[] } }[] }).nftables ?? [];
  return items.reduce((n, item) => n + (item.set?.elem?.length ?? 0), 0);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Reads one zone router's firewall: named counters and the size of the denied-flow set. */
export async function readZoneFirewall(run: Runner, namespace: string): Promise<Pick<ZoneStatus, 'counters' | 'deniedFlows' | 'error'>> {
  const inside = ['--net=/run/netns/' + namespace, 'nft', '-j'];
  try {
    const [counters, denied] = await Promise.all([
      run('nsenter', [...inside, 'list', 'counters', 'table', 'inet', 'archipel']),
      // The set is part of the zone ruleset; a ruleset without it (older renderer) is not an error.
      run('nsenter', [...inside, 'list', 'set', 'inet', 'archipel', 'denied']).catch(() => undefined),
    ]);
    return { counters: parseCounters(counters), ...(denied === undefined ? {} : { deniedFlows: parseSetSize(denied) }) };
  } catch (error) {
    return { error: `firewall not readable: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** Collects the estate's status from the state files and the kernel. `estate` names it when nothing is up. */
export async function collectStatus(stateDir: string, estate: string, deps: StatusDeps = {}): Promise<EstateStatus> {
  const run = deps.run ?? execRunner;
  const netnsDir = deps.netnsDir ?? '/run/netns';
  const network = await (deps.readNetwork ?? readNetworkState)(stateDir);
  const empty: EstateStatus = {
    estate,
    source: 'state-files',
    up: false,
    healthy: false,
    problems: [`estate ${estate} is not up (no network state in ${stateDir})`],
    zones: [],
    applications: [],
    instances: [],
    infrastructure: [],
    compute: false,
  };
  if (!network) return empty;
  const compute = await (deps.readCompute ?? readComputeViews)(stateDir);
  const computeByAddress = new Map((compute ?? []).map((c) => [c.address, c]));
  const present = new Map<string, boolean>();
  await Promise.all(network.namespaces.map(async (ns) => present.set(ns.name, await exists(join(netnsDir, ns.name)))));
  const problems: string[] = [];

  const routers = network.namespaces.filter((ns) => ns.role === 'router').sort((a, b) => a.address.localeCompare(b.address));
  const zones: ZoneStatus[] = await Promise.all(
    routers.map(async (ns) => {
      const zone = ns.zone ?? ns.address.replace(/^zone\//, '');
      if (!present.get(ns.name)) {
        problems.push(`zone/${zone}: router namespace ${ns.name} is missing`);
        return { zone, router: ns.name, present: false };
      }
      const firewall = await readZoneFirewall(run, ns.name);
      if (firewall.error) problems.push(`zone/${zone}: ${firewall.error}`);
      return { zone, router: ns.name, present: true, ...firewall };
    }),
  );

  const instances: InstanceStatus[] = network.namespaces
    .filter((ns) => ns.role === 'instance')
    .sort((a, b) => a.address.localeCompare(b.address))
    .map((ns) => {
      const owner = ns.address.split('/').slice(0, 2).join('/');
      const status: InstanceStatus = { address: ns.address, owner, namespace: ns.name, present: present.get(ns.name) ?? false };
      if (ns.zone) status.zone = ns.zone;
      if (ns.ip) status.ip = ns.ip;
      const view = computeByAddress.get(ns.address);
      if (view?.pid !== undefined) status.pid = view.pid;
      if (view?.health !== undefined) status.health = view.health;
      if (view?.restarts !== undefined) status.restarts = view.restarts;
      if (!status.present) problems.push(`${ns.address}: namespace ${ns.name} is missing`);
      // Only instances the compute layer runs are judged on health (data services come later).
      if (view && !HEALTHY.has(view.health ?? '')) problems.push(`${ns.address}: ${view.health ?? 'no health reported'}`);
      return status;
    });

  const byOwner = new Map<string, ApplicationStatus>();
  for (const instance of instances) {
    const app = byOwner.get(instance.owner) ?? { owner: instance.owner, instances: 0, present: 0, ...(compute ? { healthy: 0 } : {}) };
    app.instances += 1;
    if (instance.present) app.present += 1;
    if (compute && HEALTHY.has(instance.health ?? '')) app.healthy = (app.healthy ?? 0) + 1;
    byOwner.set(instance.owner, app);
  }

  const infrastructure = network.namespaces
    .filter((ns) => ns.role === 'edge' || ns.role === 'witness')
    .sort((a, b) => a.address.localeCompare(b.address))
    .map((ns) => {
      const ok = present.get(ns.name) ?? false;
      if (!ok) problems.push(`${ns.address}: namespace ${ns.name} is missing`);
      return { address: ns.address, namespace: ns.name, role: ns.role, present: ok };
    });

  problems.sort();
  return {
    estate: network.estate,
    source: 'state-files',
    up: true,
    healthy: problems.length === 0,
    problems,
    zones,
    applications: [...byOwner.values()].sort((a, b) => a.owner.localeCompare(b.owner)),
    instances,
    infrastructure,
    compute: compute !== undefined,
  };
}
