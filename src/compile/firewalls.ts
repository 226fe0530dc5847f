/**
 * Firewall placement: in each zone, the private networks present there packed onto as few appliances as the
 * provider's private-networks-per-firewall limit allows, each appliance an HA pair (2 units).
 *
 * Affinity: networks that talk to each other (the flow graph between private networks) are kept on the same
 * appliance when they fit, so fewer flows cross from one appliance to another. Connected components, largest
 * first, go first-fit into exactly ceil(N / limit) appliances (the minimum); a component that fits nowhere
 * whole is split, in breadth-first order so that neighbours stay together, over the emptiest appliances.
 * Union-find and one pass over the flows: linear in flows, never pairwise.
 */
import { compareAddresses } from '../model/address.ts';
import type { CompiledFlow, FirewallAppliance, FirewallPlan, PrivateNetwork } from './types.ts';

const OWNER = /^(app|db|cache|bucket)\//;

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
  const adjacency = new Map<string, Set<string>>(networks.map((n) => [n.address, new Set<string>()]));
  for (const flow of flows) {
    const a = networkOf(flow.from);
    const b = networkOf(flow.to);
    if (!a || !b || a === b || !known.has(a) || !known.has(b)) continue;
    adjacency.get(a)!.add(b);
    adjacency.get(b)!.add(a);
  }
  const sortedNeighbours = new Map([...adjacency].map(([k, v]) => [k, [...v].sort(compareAddresses)]));

  const planZones = zones.map((zone) => {
    const present = new Set(networks.filter((n) => n.zones.some((z) => z.zone === zone)).map((n) => n.address));
    const components = componentsOf(present, sortedNeighbours);
    const bins = pack(components, Math.max(1, limit), present.size);
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

/** First-fit into the minimum number of bins; a component that fits nowhere is split over the emptiest. */
function pack(components: string[][], limit: number, total: number): string[][] {
  const bins: string[][] = Array.from({ length: Math.ceil(total / limit) }, () => []);
  for (const component of components) {
    const whole = bins.find((b) => limit - b.length >= component.length);
    if (whole) {
      whole.push(...component);
      continue;
    }
    let rest = component;
    while (rest.length > 0) {
      let emptiest = bins[0]!;
      for (const b of bins) if (b.length < emptiest.length) emptiest = b;
      const take = limit - emptiest.length;
      emptiest.push(...rest.slice(0, take));
      rest = rest.slice(take);
    }
  }
  return bins;
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
