/**
 * Firewall placement: in each zone, the private networks present there packed onto as few appliances as the
 * provider's private-networks-per-firewall limit allows, each appliance an HA pair (2 units).
 *
 * Affinity: networks that talk to each other (the flow graph between private networks, weighted by the
 * number of flows) are kept on the same appliance when they fit, so fewer flows cross from one appliance to
 * another. Connected components, largest first, go first-fit into exactly ceil(N / limit) appliances (the
 * minimum); a component that fits nowhere whole is cut by greedy growth (fill the emptiest appliance with
 * the network most connected to it); then a few refinement passes move or swap single networks when that
 * lowers the number of crossing flows (Kernighan-Lin style, bounded). Work is linear in flows times the
 * limit, never pairwise over all networks.
 */
import { compareAddresses } from '../model/address.ts';
import type { CompiledFlow, FirewallAppliance, FirewallPlan, PrivateNetwork } from './types.ts';

const OWNER = /^(app|db|cache|bucket)\//;

/** Network -> neighbour -> number of flows between them (both directions). */
type Graph = Map<string, Map<string, number>>;

/** Network address of a flow endpoint, or undefined for edges, the witness and the vault. */
function networkOf(endpoint: string): string | undefined {
  return OWNER.test(endpoint) ? `net/${endpoint}` : undefined;
}

/** Pack the networks of every zone onto appliances; pure, deterministic. */
export function placeFirewalls(
  zones: readonly string[],
  networks: readonly PrivateNetwork[],
  flows: readonly CompiledFlow[],
  limit: number,
  unitCost?: number,
): FirewallPlan {
  const known = new Set(networks.map((n) => n.address));
  const weights: Graph = new Map(networks.map((n) => [n.address, new Map<string, number>()]));
  for (const flow of flows) {
    const a = networkOf(flow.from);
    const b = networkOf(flow.to);
    if (!a || !b || a === b || !known.has(a) || !known.has(b)) continue;
    weights.get(a)!.set(b, (weights.get(a)!.get(b) ?? 0) + 1);
    weights.get(b)!.set(a, (weights.get(b)!.get(a) ?? 0) + 1);
  }
  const sortedNeighbours = new Map([...weights].map(([k, v]) => [k, [...v.keys()].sort(compareAddresses)]));

  const planZones = zones.map((zone) => {
    const present = new Set(networks.filter((n) => n.zones.some((z) => z.zone === zone)).map((n) => n.address));
    const components = componentsOf(present, sortedNeighbours);
    const bins = pack(components, Math.max(1, limit), present.size, sortedNeighbours, weights);
    refine(bins, Math.max(1, limit), sortedNeighbours, weights);
    const appliances: FirewallAppliance[] = bins
      .filter((b) => b.length > 0)
      .map((members, index) => ({
        address: `firewall/${zone}/${index}`,
        zone,
        index,
        networks: [...members].sort(compareAddresses),
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
 * Connected components among the present networks, each in breadth-first order from its smallest address;
 * largest component first, then by first address.
 */
function componentsOf(present: Set<string>, neighbours: Map<string, string[]>): string[][] {
  const seen = new Set<string>();
  const components: string[][] = [];
  for (const start of [...present].sort(compareAddresses)) {
    if (seen.has(start)) continue;
    const order = [start];
    seen.add(start);
    for (let i = 0; i < order.length; i++) {
      for (const next of neighbours.get(order[i]!) ?? []) {
        if (!present.has(next) || seen.has(next)) continue;
        seen.add(next);
        order.push(next);
      }
    }
    components.push(order);
  }
  return components.sort((a, b) => b.length - a.length || compareAddresses(a[0]!, b[0]!));
}

/**
 * First-fit into the minimum number of bins. A component that fits in no bin whole is cut by greedy
 * growth: the emptiest bin is filled from the component, each time with the remaining network that has the
 * most flows into what the bin already holds (ties: address order), seeded with the first remaining one.
 */
function pack(components: string[][], limit: number, total: number, neighbours: Map<string, string[]>, weights: Graph): string[][] {
  const bins: string[][] = Array.from({ length: Math.ceil(total / limit) }, () => []);
  for (const component of components) {
    const whole = bins.find((b) => limit - b.length >= component.length);
    if (whole) {
      whole.push(...component);
      continue;
    }
    const remaining = new Set([...component].sort(compareAddresses));
    while (remaining.size > 0) {
      let emptiest = bins[0]!;
      for (const b of bins) if (b.length < emptiest.length) emptiest = b;
      grow(emptiest, limit - emptiest.length, remaining, neighbours, weights);
    }
  }
  return bins;
}

/** Move up to `room` networks from `remaining` into `bin`, always taking the one most connected to the bin. */
function grow(bin: string[], room: number, remaining: Set<string>, neighbours: Map<string, string[]>, weights: Graph): void {
  const gain = new Map<string, number>();
  const take = (network: string): void => {
    remaining.delete(network);
    gain.delete(network);
    bin.push(network);
    for (const n of neighbours.get(network) ?? []) if (remaining.has(n)) gain.set(n, (gain.get(n) ?? 0) + weights.get(network)!.get(n)!);
  };
  for (let placed = 0; placed < room && remaining.size > 0; placed++) {
    let best: string | undefined;
    let bestGain = 0;
    for (const [network, g] of gain) {
      if (g > bestGain || (g === bestGain && best !== undefined && compareAddresses(network, best) < 0)) {
        best = network;
        bestGain = g;
      }
    }
    take(best ?? remaining.values().next().value!);
  }
}

/** Refinement passes at most; each pass only ever lowers the number of crossing flows. */
const REFINE_PASSES = 4;

/**
 * Move a network to the appliance it talks to most when there is room, or swap it with a network there
 * when the swap lowers the crossing weight. Bins keep their count and never exceed the limit.
 */
function refine(bins: string[][], limit: number, neighbours: Map<string, string[]>, weights: Graph): void {
  const where = new Map<string, number>();
  bins.forEach((b, i) => b.forEach((n) => where.set(n, i)));
  const members = bins.map((b) => new Set(b));
  const move = (network: string, from: number, to: number): void => {
    where.set(network, to);
    members[from]!.delete(network);
    members[to]!.add(network);
  };
  const weightTo = (network: string, bin: number): number => {
    let w = 0;
    for (const n of neighbours.get(network) ?? []) if (where.get(n) === bin) w += weights.get(network)!.get(n)!;
    return w;
  };
  const order = [...where.keys()].sort(compareAddresses);
  for (let pass = 0; pass < REFINE_PASSES; pass++) {
    let improved = false;
    for (const v of order) {
      const from = where.get(v)!;
      // Candidate appliances: those v's neighbours sit on, best first.
      const towards = new Map<number, number>();
      for (const n of neighbours.get(v) ?? []) {
        const b = where.get(n);
        if (b !== undefined && b !== from) towards.set(b, (towards.get(b) ?? 0) + weights.get(v)!.get(n)!);
      }
      const here = weightTo(v, from);
      const candidates = [...towards].filter(([, w]) => w > here).sort((x, y) => y[1] - x[1] || x[0] - y[0]);
      for (const [to, w] of candidates) {
        if (members[to]!.size < limit) {
          move(v, from, to);
          improved = true;
          break;
        }
        let best: string | undefined;
        let bestGain = 0;
        for (const u of [...members[to]!].sort(compareAddresses)) {
          const uv = weights.get(v)!.get(u) ?? 0;
          const gain = w - here + weightTo(u, from) - weightTo(u, to) - 2 * uv;
          if (gain > bestGain) {
            best = u;
            bestGain = gain;
          }
        }
        if (best !== undefined) {
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
  for (const v of order) bins[where.get(v)!]!.push(v);
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
