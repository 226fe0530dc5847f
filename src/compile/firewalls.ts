/**
 * Firewall placement: in each zone, the private networks present there packed onto as few appliances as the
 * provider's private-networks-per-firewall limit allows, each appliance an HA pair (2 units).
 *
 * Affinity: networks that talk to each other (the flow graph between private networks, weighted by the
 * number of flows) are kept on the same appliance when they fit, so fewer flows cross from one appliance to
 * another. Connected components, largest first, go first-fit into exactly ceil(N / limit) appliances (the
 * minimum); a component that fits nowhere whole is cut by greedy growth (fill the emptiest appliance with
 * the network most connected to it); then a few refinement passes move or swap single networks when that
 * lowers the number of crossing flows (Kernighan-Lin style, bounded). The layout is computed once over all
 * networks and reused in every zone where it stays minimal, so a flow crosses appliances in every zone or
 * in none. Networks are numbered in address order and the graph kept in arrays: work is linear in flows
 * times the limit, never pairwise.
 */
import { compareAddresses } from '../model/address.ts';
import type { CompiledFlow, FirewallAppliance, FirewallPlan, PrivateNetwork } from './types.ts';

const OWNER = /^(app|db|cache|bucket)\//;

/** Refinement passes at most; each pass only ever lowers the number of crossing flows. */
const REFINE_PASSES = 4;

/** Network address of a flow endpoint, or undefined for edges, the witness and the vault. */
function networkOf(endpoint: string): string | undefined {
  return OWNER.test(endpoint) ? `net/${endpoint}` : undefined;
}

/** The flow graph between networks numbered in address order: neighbours ascending, with flow counts. */
interface Graph {
  neighbours: number[][];
  weights: number[][];
}

/** Pack the networks of every zone onto appliances; pure, deterministic. */
export function placeFirewalls(
  zones: readonly string[],
  networks: readonly PrivateNetwork[],
  flows: readonly CompiledFlow[],
  limit: number,
  unitCost?: number,
): FirewallPlan {
  const sorted = [...networks].sort((a, b) => compareAddresses(a.address, b.address));
  const ids = new Map(sorted.map((n, i) => [n.address, i]));
  const edges = sorted.map(() => new Map<number, number>());
  for (const flow of flows) {
    const a = ids.get(networkOf(flow.from) ?? '');
    const b = ids.get(networkOf(flow.to) ?? '');
    if (a === undefined || b === undefined || a === b) continue;
    edges[a]!.set(b, (edges[a]!.get(b) ?? 0) + 1);
    edges[b]!.set(a, (edges[b]!.get(a) ?? 0) + 1);
  }
  const graph: Graph = { neighbours: [], weights: [] };
  for (const e of edges) {
    const list = [...e].sort((x, y) => x[0] - y[0]);
    graph.neighbours.push(list.map(([n]) => n));
    graph.weights.push(list.map(([, w]) => w));
  }
  const size = Math.max(1, limit);
  const all = sorted.map((_, i) => i);
  const shared = pack(componentsOf(all, graph, sorted.length), size, all.length, graph);
  refine(shared, size, graph, sorted.length);

  const planZones = zones.map((zone) => {
    const present: number[] = [];
    sorted.forEach((n, i) => {
      if (n.zones.some((z) => z.zone === zone)) present.push(i);
    });
    // Every zone reuses the layout of all networks, so that a flow crosses appliances in every zone or in
    // none; a zone missing enough networks to need fewer appliances has its emptiest ones merged away.
    const isPresent = new Uint8Array(sorted.length);
    for (const i of present) isPresent[i] = 1;
    const bins = compact(
      shared.map((b) => b.filter((n) => isPresent[n])).filter((b) => b.length > 0),
      size,
      Math.ceil(present.length / size),
      graph,
    );
    const appliances: FirewallAppliance[] = bins
      .filter((b) => b.length > 0)
      .map((members, index) => ({
        address: `firewall/${zone}/${index}`,
        zone,
        index,
        networks: [...members].sort((x, y) => x - y).map((i) => sorted[i]!.address),
        units: 2,
      }));
    return { zone, appliances };
  });
  const units = planZones.reduce((sum, z) => sum + z.appliances.reduce((s, a) => s + a.units, 0), 0);
  return {
    privateNetworksPerFirewall: limit,
    ...(unitCost !== undefined ? { unitCost, totalCost: units * unitCost } : {}),
    zones: planZones,
    units,
  };
}

/**
 * Bring a layout down to `target` bins: empty the smallest bin (the last one on ties) into the others,
 * each network going where it has the most flows among bins with room (the first on ties). Room always
 * exists: the remaining bins are at least `target`, and target * limit holds every network.
 */
function compact(bins: number[][], limit: number, target: number, graph: Graph): number[][] {
  while (bins.length > target) {
    let smallest = bins.length - 1;
    for (let b = bins.length - 1; b >= 0; b--) if (bins[b]!.length < bins[smallest]!.length) smallest = b;
    const [moved] = bins.splice(smallest, 1);
    const where = new Map<number, number>();
    bins.forEach((b, i) => b.forEach((n) => where.set(n, i)));
    for (const v of moved!) {
      const towards = new Map<number, number>();
      const neighbours = graph.neighbours[v]!;
      for (let k = 0; k < neighbours.length; k++) {
        const b = where.get(neighbours[k]!);
        if (b !== undefined) towards.set(b, (towards.get(b) ?? 0) + graph.weights[v]![k]!);
      }
      let best = -1;
      for (let b = 0; b < bins.length; b++) {
        if (bins[b]!.length >= limit) continue;
        if (best < 0 || (towards.get(b) ?? 0) > (towards.get(best) ?? 0)) best = b;
      }
      bins[best]!.push(v);
      where.set(v, best);
    }
  }
  return bins;
}

/**
 * Connected components among the present networks, each in breadth-first order from its first network;
 * largest component first, then by first network.
 */
function componentsOf(present: readonly number[], graph: Graph, count: number): number[][] {
  const isPresent = new Uint8Array(count);
  for (const i of present) isPresent[i] = 1;
  const seen = new Uint8Array(count);
  const components: number[][] = [];
  for (const start of present) {
    if (seen[start]) continue;
    const order = [start];
    seen[start] = 1;
    for (let i = 0; i < order.length; i++) {
      for (const next of graph.neighbours[order[i]!]!) {
        if (!isPresent[next] || seen[next]) continue;
        seen[next] = 1;
        order.push(next);
      }
    }
    components.push(order);
  }
  return components.sort((a, b) => b.length - a.length || a[0]! - b[0]!);
}

/**
 * First-fit into the minimum number of bins. A component that fits in no bin whole is cut by greedy
 * growth: the emptiest bin is filled from the component, each time with the remaining network that has the
 * most flows into what the bin already holds (ties: address order), seeded with the first remaining one.
 */
function pack(components: number[][], limit: number, total: number, graph: Graph): number[][] {
  const bins: number[][] = Array.from({ length: Math.ceil(total / limit) }, () => []);
  for (const component of components) {
    const whole = bins.find((b) => limit - b.length >= component.length);
    if (whole) {
      whole.push(...component);
      continue;
    }
    const remaining = new Set([...component].sort((x, y) => x - y));
    while (remaining.size > 0) {
      let emptiest = bins[0]!;
      for (const b of bins) if (b.length < emptiest.length) emptiest = b;
      grow(emptiest, limit - emptiest.length, remaining, graph);
    }
  }
  return bins;
}

/** Move up to `room` networks from `remaining` into `bin`, always taking the one most connected to the bin. */
function grow(bin: number[], room: number, remaining: Set<number>, graph: Graph): void {
  const gain = new Map<number, number>();
  // Candidates in a max-heap of [gain, network] (largest gain, then smallest network); stale entries
  // (an older gain, or a network already taken) are skipped when they surface. A hub joining the bin
  // adds thousands of candidates: the heap keeps each pick logarithmic instead of a scan.
  const heap = new Heap();
  const take = (network: number): void => {
    remaining.delete(network);
    gain.delete(network);
    bin.push(network);
    const neighbours = graph.neighbours[network]!;
    for (let k = 0; k < neighbours.length; k++) {
      const n = neighbours[k]!;
      if (!remaining.has(n)) continue;
      const g = (gain.get(n) ?? 0) + graph.weights[network]![k]!;
      gain.set(n, g);
      heap.push(g, n);
    }
  };
  for (let placed = 0; placed < room && remaining.size > 0; placed++) {
    let best = -1;
    while (heap.size > 0) {
      const [g, n] = heap.pop();
      if (gain.get(n) === g) {
        best = n;
        break;
      }
    }
    take(best >= 0 ? best : remaining.values().next().value!);
  }
}

/** A binary max-heap of (gain, network): larger gain first, then the smaller network. */
class Heap {
  private gains: number[] = [];
  private nets: number[] = [];

  get size(): number {
    return this.gains.length;
  }

  private above(i: number, j: number): boolean {
    return this.gains[i]! > this.gains[j]! || (this.gains[i] === this.gains[j] && this.nets[i]! < this.nets[j]!);
  }

  private swap(i: number, j: number): void {
    [this.gains[i], this.gains[j]] = [this.gains[j]!, this.gains[i]!];
    [this.nets[i], this.nets[j]] = [this.nets[j]!, this.nets[i]!];
  }

  push(gain: number, net: number): void {
    this.gains.push(gain);
    this.nets.push(net);
    let i = this.gains.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): [number, number] {
    const top: [number, number] = [this.gains[0]!, this.nets[0]!];
    const last = this.gains.length - 1;
    this.swap(0, last);
    this.gains.pop();
    this.nets.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.gains.length && this.above(l, m)) m = l;
      if (r < this.gains.length && this.above(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

/**
 * Move a network to the appliance it talks to most when there is room, or swap it with a network there
 * when the swap lowers the crossing weight. Bins keep their count and never exceed the limit. The weight
 * of every network towards each bin it talks to is kept up to date on each move, so each check is O(1).
 */
function refine(bins: number[][], limit: number, graph: Graph, count: number): void {
  const binCount = bins.length;
  if (binCount < 2) return;
  const where = new Int32Array(count).fill(-1);
  bins.forEach((b, i) => b.forEach((n) => (where[n] = i)));
  const members = bins.map((b) => [...b]);
  // toBin[v].get(b): flows between network v and bin b; sparse, so memory follows the flows, not n * bins.
  const toBin = Array.from({ length: count }, () => new Map<number, number>());
  const weight = (v: number, b: number): number => toBin[v]!.get(b) ?? 0;
  const addWeight = (v: number, b: number, w: number): void => {
    const next = weight(v, b) + w;
    if (next === 0) toBin[v]!.delete(b);
    else toBin[v]!.set(b, next);
  };
  for (const v of members.flat()) {
    const neighbours = graph.neighbours[v]!;
    for (let k = 0; k < neighbours.length; k++) {
      const b = where[neighbours[k]!]!;
      if (b >= 0) addWeight(v, b, graph.weights[v]![k]!);
    }
  }
  const move = (v: number, from: number, to: number): void => {
    where[v] = to;
    const list = members[from]!;
    list.splice(list.indexOf(v), 1);
    members[to]!.push(v);
    const neighbours = graph.neighbours[v]!;
    for (let k = 0; k < neighbours.length; k++) {
      const n = neighbours[k]!;
      if (where[n]! < 0) continue;
      addWeight(n, from, -graph.weights[v]![k]!);
      addWeight(n, to, graph.weights[v]![k]!);
    }
  };
  const weightBetween = (a: number, b: number): number => {
    // Search the shorter neighbour list: hubs (a shared directory, the log collector) have thousands.
    const [x, y] = graph.neighbours[a]!.length <= graph.neighbours[b]!.length ? [a, b] : [b, a];
    const k = graph.neighbours[x]!.indexOf(y);
    return k < 0 ? 0 : graph.weights[x]![k]!;
  };
  const seen = new Int32Array(binCount).fill(-1);
  const order = members.flat().sort((x, y) => x - y);
  for (let pass = 0; pass < REFINE_PASSES; pass++) {
    let improved = false;
    for (const v of order) {
      const from = where[v]!;
      const here = weight(v, from);
      // Candidate appliances: where v's neighbours are and more connected to v than its own, most first.
      const candidates: number[] = [];
      for (const n of graph.neighbours[v]!) {
        const b = where[n]!;
        if (b < 0 || b === from || seen[b] === v || weight(v, b) <= here) continue;
        seen[b] = v;
        candidates.push(b);
      }
      candidates.sort((x, y) => weight(v, y) - weight(v, x) || x - y);
      for (const to of candidates) {
        if (members[to]!.length < limit) {
          move(v, from, to);
          improved = true;
          break;
        }
        let best = -1;
        let bestGain = 0;
        for (const u of members[to]!) {
          const gain = weight(v, to) - here + weight(u, from) - weight(u, to) - 2 * weightBetween(v, u);
          if (gain > bestGain || (gain === bestGain && gain > 0 && u < best)) {
            best = u;
            bestGain = gain;
          }
        }
        if (best >= 0) {
          move(v, from, to);
          move(best, to, from);
          improved = true;
          break;
        }
      }
    }
    if (!improved) break;
  }
  for (const b of bins) b.length = 0;
  for (const v of order) bins[where[v]!]!.push(v);
}

/**
 * Flows between two different private networks that sit on different appliances in at least one zone
 * where both are present: each one is inspected twice and crosses the appliances' interconnect.
 */
export function crossingFlows(plan: FirewallPlan, flows: readonly CompiledFlow[]): number {
  const where = new Map<string, Map<string, number>>(); // zone -> network -> appliance index
  for (const z of plan.zones) {
    const map = new Map<string, number>();
    for (const a of z.appliances) for (const n of a.networks) map.set(n, a.index);
    where.set(z.zone, map);
  }
  let count = 0;
  for (const flow of flows) {
    const a = networkOf(flow.from);
    const b = networkOf(flow.to);
    if (!a || !b || a === b) continue;
    for (const map of where.values()) {
      const x = map.get(a);
      const y = map.get(b);
      if (x !== undefined && y !== undefined && x !== y) {
        count++;
        break;
      }
    }
  }
  return count;
}
