/**
 * The desired network of an estate on the local target, computed (purely) from the compiled estate: which
 * namespaces, links, bridges, addresses and routes must exist. No I/O here: apply.ts compares this with
 * what the kernel and the state file show, and changes only the difference.
 *
 * Shape (per zone Z): a router namespace holding one bridge per private network (gateway = the network's
 * zone part gateway) and the zone firewall; one namespace per instance, veth to its network's bridge,
 * default route via the gateway; a backbone /30 between routers (from the `backbone` block), with routes
 * to the other zone's network parts and edge block; an edge namespace on a /30 from edge/Z; the witness on
 * its own /30 per zone (from witness/NAME), with a service address on its loopback that each zone routes
 * to over its own link, never through the other zone. Routers have no default route: nothing leaves the host.
 */
import { createHash } from 'node:crypto';
import type { CompiledEstate } from '../../../compile/types.ts';
import { checkLocal, formatIp, linkSubnet, parseCidr } from './addr.ts';
import {
  EDGE_IFACE,
  EDGE_ROUTER_IFACE,
  INSTANCE_IFACE,
  WITNESS_ROUTER_IFACE,
  localNames,
  type LocalNames,
} from './names.ts';
import type { LinkRecord, NsRecord } from './state.ts';

export interface DesiredBridge {
  name: string;
  network: string;
  /** gateway/prefix */
  address: string;
  /** Router ports (instance links) enslaved to it. */
  ports: string[];
}

export interface DesiredRoute {
  cidr: string;
  via: string;
  dev: string;
}

export interface DesiredRouter {
  namespace: string;
  zone: string;
  bridges: DesiredBridge[];
  /** Point-to-point interfaces (backbone, witness, edge) with their address/prefix. */
  links: { dev: string; address: string }[];
  routes: DesiredRoute[];
}

export interface DesiredNamespace extends NsRecord {
  /** `ip -batch` lines that configure it from any state (flush then add): for everything but routers. */
  batch: string[];
}

export interface Topology {
  estate: string;
  names: LocalNames;
  namespaces: DesiredNamespace[];
  links: LinkRecord[];
  routers: DesiredRouter[];
}

const hashOf = (lines: string[]) => createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);

function block(compiled: CompiledEstate, address: string): string {
  const found = compiled.infrastructure.find((b) => b.address === address);
  if (!found) throw new Error(`compiled estate ${compiled.estate} has no infrastructure block "${address}"`);
  checkLocal(found.cidr, address);
  return found.cidr;
}

/** Desired topology. Throws on a compiled estate the local target cannot realise (a compiler bug). */
export function desiredTopology(compiled: CompiledEstate): Topology {
  const names = localNames(compiled.estate);
  const zones = [...compiled.zones].sort((a, b) => a.index - b.index);
  const namespaces: DesiredNamespace[] = [];
  const links: LinkRecord[] = [];
  const routers = new Map<string, DesiredRouter>();
  const prefixOf = (cidr: string) => parseCidr(cidr).prefix;

  for (const zone of zones) {
    routers.set(zone.name, { namespace: names.router(zone.name), zone: zone.name, bridges: [], links: [], routes: [] });
  }
  const router = (zone: string): DesiredRouter => {
    const found = routers.get(zone);
    if (!found) throw new Error(`unknown zone "${zone}"`);
    return found;
  };

  // Private networks: one bridge per network part, in its zone's router.
  const bridges = new Map<string, DesiredBridge>();
  for (const network of [...compiled.networks].sort((a, b) => a.address.localeCompare(b.address))) {
    for (const part of network.zones) {
      checkLocal(part.cidr, network.address);
      checkLocal(part.gateway, network.address);
      const bridge: DesiredBridge = { name: names.bridge(network.address), network: network.address, address: `${part.gateway}/${prefixOf(part.cidr)}`, ports: [] };
      router(part.zone).bridges.push(bridge);
      bridges.set(`${network.address}@${part.zone}`, bridge);
    }
  }

  // Instances: a namespace each, a veth to their network's bridge.
  for (const instance of [...compiled.instances].sort((a, b) => a.address.localeCompare(b.address))) {
    checkLocal(instance.ip, instance.address);
    const network = compiled.networks.find((n) => n.address === instance.network);
    const part = network?.zones.find((z) => z.zone === instance.zone);
    const bridge = bridges.get(`${instance.network}@${instance.zone}`);
    if (!network || !part || !bridge) throw new Error(`${instance.address}: no part of ${instance.network} in ${instance.zone}`);
    const ns = names.instance(instance.address);
    const port = names.instancePort(instance.address);
    bridge.ports.push(port);
    const batch = [
      'link set lo up',
      `addr flush dev ${INSTANCE_IFACE}`,
      `addr add ${instance.ip}/${prefixOf(part.cidr)} dev ${INSTANCE_IFACE}`,
      `link set ${INSTANCE_IFACE} up`,
      `route replace default via ${part.gateway} dev ${INSTANCE_IFACE}`,
    ];
    namespaces.push({ name: ns, role: 'instance', zone: instance.zone, address: instance.address, ip: instance.ip, batch, config: hashOf(batch) });
    links.push({ name: port, namespace: router(instance.zone).namespace, peerNamespace: ns, peerName: INSTANCE_IFACE, kind: 'instance' });
  }

  // Edges: one per zone, on the first /30 of edge/ZONE.
  const edgeLinks = new Map<string, { cidr: string; block: string; a: string; b: string }>();
  for (const zone of zones) {
    const address = `edge/${zone.name}`;
    const cidr = block(compiled, address);
    const link = { ...linkSubnet(cidr, 0, address), block: cidr };
    edgeLinks.set(zone.name, link);
    const r = router(zone.name);
    const ns = names.edge(zone.name);
    r.links.push({ dev: EDGE_ROUTER_IFACE, address: `${link.a}/30` });
    const batch = [
      'link set lo up',
      `addr flush dev ${EDGE_IFACE}`,
      `addr add ${link.b}/30 dev ${EDGE_IFACE}`,
      `link set ${EDGE_IFACE} up`,
      `route replace default via ${link.a} dev ${EDGE_IFACE}`,
    ];
    namespaces.push({ name: ns, role: 'edge', zone: zone.name, address, ip: link.b, batch, config: hashOf(batch) });
    links.push({ name: EDGE_ROUTER_IFACE, namespace: r.namespace, peerNamespace: ns, peerName: EDGE_IFACE, kind: 'edge' });
  }

  // Backbone: a /30 per pair of zones, lower index on .1.
  if (zones.length > 1) {
    const backbone = block(compiled, 'backbone');
    let pair = 0;
    for (let i = 0; i < zones.length; i++) {
      for (let j = i + 1; j < zones.length; j++) {
        const link = linkSubnet(backbone, pair++, 'backbone');
        const zi = zones[i]!;
        const zj = zones[j]!;
        const ri = router(zi.name);
        const rj = router(zj.name);
        ri.links.push({ dev: names.backbone(j), address: `${link.a}/30` });
        rj.links.push({ dev: names.backbone(i), address: `${link.b}/30` });
        links.push({ name: names.backbone(j), namespace: ri.namespace, peerNamespace: rj.namespace, peerName: names.backbone(i), kind: 'backbone' });
        // Each router reaches the other zone's network parts and edge through the backbone.
        for (const [from, to, via, dev] of [[zi, zj, link.b, names.backbone(j)], [zj, zi, link.a, names.backbone(i)]] as const) {
          const r = router(from.name);
          for (const network of compiled.networks) {
            for (const part of network.zones.filter((p) => p.zone === to.name)) r.routes.push({ cidr: part.cidr, via, dev });
          }
          r.routes.push({ cidr: edgeLinks.get(to.name)!.block, via, dev });
        }
      }
    }
  }

  // Witness: a service address on its loopback, a /30 per zone; each side routes over its own link only.
  if (compiled.witness) {
    const address = `witness/${compiled.witness.name}`;
    const cidr = block(compiled, address);
    const service = formatIp(parseCidr(cidr).base + 1);
    const ns = names.witness(compiled.witness.name);
    const batch = ['link set lo up', `addr replace ${service}/32 dev lo`];
    for (const zone of zones) {
      const link = linkSubnet(cidr, zone.index + 1, address);
      const port = names.witnessPort(zone.name);
      const r = router(zone.name);
      r.links.push({ dev: WITNESS_ROUTER_IFACE, address: `${link.a}/30` });
      r.routes.push({ cidr: `${service}/32`, via: link.b, dev: WITNESS_ROUTER_IFACE });
      batch.push(`addr flush dev ${port}`, `addr add ${link.b}/30 dev ${port}`, `link set ${port} up`);
      const destinations = [
        ...compiled.networks.flatMap((n) => n.zones.filter((p) => p.zone === zone.name).map((p) => p.cidr)),
        edgeLinks.get(zone.name)!.block,
      ].sort();
      for (const destination of destinations) batch.push(`route replace ${destination} via ${link.a} dev ${port} src ${service}`);
      links.push({ name: WITNESS_ROUTER_IFACE, namespace: r.namespace, peerNamespace: ns, peerName: port, kind: 'witness' });
    }
    namespaces.push({ name: ns, role: 'witness', address, ip: service, batch, config: hashOf(batch) });
  }

  for (const r of routers.values()) {
    const backboneIp = r.links.find((l) => l.dev.startsWith('bb'))?.address.split('/')[0];
    namespaces.push({ name: r.namespace, role: 'router', zone: r.zone, address: `zone/${r.zone}`, ...(backboneIp ? { ip: backboneIp } : {}), batch: [] });
    r.routes.sort((a, b) => a.cidr.localeCompare(b.cidr));
  }
  namespaces.sort((a, b) => a.name.localeCompare(b.name));
  links.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  return { estate: compiled.estate, names, namespaces, links, routers: [...routers.values()] };
}

/** The router's `ip -batch` lines, given the bridges and routes it has now (so that it only adds what is missing). */
export function routerBatch(router: DesiredRouter, observed: { links: string[]; routes: { dst: string; gateway?: string }[] }): string[] {
  const lines = ['link set lo up'];
  const have = new Set(observed.links);
  const wantedBridges = new Set(router.bridges.map((b) => b.name));
  // Stale bridges first (a removed network): their ports went with the instance namespaces.
  for (const name of observed.links) {
    if (/^b[0-9a-f]{7}$/.test(name) && !wantedBridges.has(name)) lines.push(`link del ${name}`);
  }
  for (const bridge of router.bridges) {
    if (!have.has(bridge.name)) lines.push(`link add ${bridge.name} type bridge`);
    lines.push(`addr replace ${bridge.address} dev ${bridge.name}`, `link set ${bridge.name} up`);
    for (const port of bridge.ports) lines.push(`link set ${port} master ${bridge.name}`, `link set ${port} up`);
  }
  for (const link of router.links) lines.push(`addr replace ${link.address} dev ${link.dev}`, `link set ${link.dev} up`);
  const wanted = new Set(router.routes.map((r) => `${r.cidr} ${r.via}`));
  for (const route of observed.routes) {
    if (route.gateway && !wanted.has(`${route.dst} ${route.gateway}`)) lines.push(`route del ${route.dst} via ${route.gateway}`);
  }
  for (const route of router.routes) lines.push(`route replace ${route.cidr} via ${route.via} dev ${route.dev}`);
  return lines;
}
