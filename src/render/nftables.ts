/**
 * The zone router's firewall: one nftables ruleset per zone (`nftables/ZONE.nft`).
 *
 * Target-agnostic: it matches on addresses only, never on interface names, so the local target loads it into
 * each zone's router namespace (`nft -f`) and a cloud export can translate the same flows to security groups.
 * Declared flows live in one verdict map keyed by `source . destination . protocol . port` with interval
 * concatenations: one element per flow, a single lookup per packet however many flows there are (a rule per
 * flow would be a linear walk). Each verdict jumps to a per-kind chain that counts and accepts, so the named
 * counters say which kind of flow carries traffic. What is not allowed is recorded in the dynamic sets
 * `denied` / `observed` (listable with `nft -j list set inet archipel denied`, because the kernel drops `log`
 * lines from non-initial network namespaces unless a host-wide sysctl is changed), logged at a bounded rate,
 * then rejected with admin-prohibited so that "filtered" differs from "closed".
 */
import type { Artefact, CompiledEstate, CompiledFlow, FlowKind } from '../compile/types.ts';
import { checked, checkedPort, compareStrings, endpointIndex } from './util.ts';

/** Per-kind counters, in this order in the file; the first kind of duplicated flows wins the verdict. */
export const FLOW_KINDS: readonly FlowKind[] = ['declared', 'data', 'replication', 'quorum', 'edge', 'backup'];

/** The table and set names other modules rely on (the network runtime lists the dynamic sets). */
export const NFT_TABLE = 'archipel';
export const NFT_DENIED_SET = 'denied';
export const NFT_OBSERVED_SET = 'observed';

const KEY = 'ip saddr . ip daddr . meta l4proto . th dport';
const KEY_TYPE = 'ipv4_addr . ipv4_addr . inet_proto . inet_service';

interface Element {
  key: string;
  kind: FlowKind;
  flows: string[];
}

/** The flows a zone's router must allow: those with an endpoint present in the zone (cross-zone included). */
export function zoneFlows(estate: CompiledEstate, zone: string): { flow: CompiledFlow; key: string }[] {
  const endpoint = endpointIndex(estate);
  const out: { flow: CompiledFlow; key: string }[] = [];
  for (const flow of estate.flows) {
    const from = endpoint(flow.from);
    const to = endpoint(flow.to);
    if (!from.zones.includes(zone) && !to.zones.includes(zone)) continue;
    if (flow.protocol !== 'tcp' && flow.protocol !== 'udp') throw new Error(`render: invalid protocol in ${flow.address}`);
    out.push({ flow, key: `${from.cidr} . ${to.cidr} . ${flow.protocol} . ${checkedPort(flow.port)}` });
  }
  return out;
}

function elements(estate: CompiledEstate, zone: string): Element[] {
  const byKey = new Map<string, Element>();
  for (const { flow, key } of zoneFlows(estate, zone)) {
    const existing = byKey.get(key);
    if (!existing) {
      byKey.set(key, { key, kind: flow.kind, flows: [flow.address] });
      continue;
    }
    // Two flows on the same key (a declared flow that is also a data flow): one element, the earlier kind.
    if (FLOW_KINDS.indexOf(flow.kind) < FLOW_KINDS.indexOf(existing.kind)) existing.kind = flow.kind;
    if (!existing.flows.includes(flow.address)) existing.flows.push(flow.address);
  }
  for (const element of byKey.values()) element.flows.sort(compareStrings);
  return [...byKey.values()].sort((a, b) => compareStrings(a.flows[0]!, b.flows[0]!) || compareStrings(a.key, b.key));
}

function block(lines: string[], indent: string): string[] {
  return lines.map((line) => (line ? `${indent}${line}` : line));
}

/** `elements = { ... }` lines, or nothing for an empty set (nft rejects `elements = { }`). */
function elementLines(items: { comment?: string[]; value: string }[]): string[] {
  if (items.length === 0) return [];
  const lines = ['elements = {'];
  for (const item of items) {
    for (const comment of item.comment ?? []) lines.push(`  # ${comment}`);
    lines.push(`  ${item.value},`);
  }
  lines.push('}');
  return lines;
}

/** The ruleset of one zone's router, loaded with `nft -f` (an atomic replace of table inet archipel). */
export function renderZoneRuleset(estate: CompiledEstate, zone: string): string {
  checked('name', zone);
  const present = estate.networks.filter((n) => n.zones.some((z) => z.zone === zone));
  const flowElements = elements(estate, zone);
  // Every observed network, not only those present here: traffic towards an observed network in the other
  // zone crosses this zone's router first and would be denied here.
  const observed = estate.networks.filter((n) => n.observe);
  const body: string[] = [];
  for (const kind of [...FLOW_KINDS, 'internal', 'observed', 'denied']) body.push(`counter ${kind} {`, '}', '');
  body.push(
    '# Declared, data, replication, quorum, edge and backup flows: source . destination . protocol . port.',
    'map flows {',
    `  type ${KEY_TYPE} : verdict`,
    '  flags interval',
    ...block(
      elementLines(flowElements.map((e) => ({ comment: e.flows, value: `${e.key} : jump flow_${e.kind}` }))),
      '  ',
    ),
    '}',
    '',
    '# Traffic inside one private network (one application, or the members of one data service).',
    'set same_network {',
    '  type ipv4_addr . ipv4_addr',
    '  flags interval',
    ...block(elementLines(present.map((n) => ({ comment: [n.address], value: `${checked('cidr', n.cidr)} . ${n.cidr}` }))), '  '),
    '}',
    '',
    '# Networks in observe mode: what would be denied to or from them is recorded and accepted.',
    'set observe_networks {',
    '  type ipv4_addr',
    '  flags interval',
    ...block(elementLines(observed.map((n) => ({ comment: [n.address], value: n.cidr }))), '  '),
    '}',
    '',
  );
  for (const name of [NFT_DENIED_SET, NFT_OBSERVED_SET]) {
    body.push(`set ${name} {`, `  type ${KEY_TYPE}`, '  flags dynamic,timeout', '  timeout 1h', '  size 65536', '}', '');
  }
  for (const kind of FLOW_KINDS) body.push(`chain flow_${kind} {`, `  counter name "${kind}" accept`, '}', '');
  body.push(
    'chain observe {',
    `  update @${NFT_OBSERVED_SET} { ${KEY} }`,
    '  limit rate 10/second log prefix "archipel-observe "',
    '  counter name "observed" accept',
    '}',
    '',
    'chain deny {',
    `  update @${NFT_DENIED_SET} { ${KEY} }`,
    '  limit rate 10/second log prefix "archipel-deny "',
    '  counter name "denied" reject with icmpx admin-prohibited',
    '}',
    '',
    'chain forward {',
    '  type filter hook forward priority filter; policy drop;',
    '  ct state established,related accept',
    '  ct state invalid drop',
    `  ${KEY} vmap @flows`,
    '  ip saddr . ip daddr @same_network counter name "internal" accept',
    '  ip saddr @observe_networks jump observe',
    '  ip daddr @observe_networks jump observe',
    '  jump deny',
    '}',
    '',
    '# The router itself serves nothing: replies and ICMP only.',
    'chain input {',
    '  type filter hook input priority filter; policy drop;',
    '  ct state established,related accept',
    '  ct state invalid drop',
    '  meta l4proto { icmp, ipv6-icmp } accept',
    '}',
  );
  return [
    `table inet ${NFT_TABLE}`,
    `delete table inet ${NFT_TABLE}`,
    `# archipel: firewall of zone ${zone} of estate ${checked('name', estate.estate)}. Generated, do not edit.`,
    `# ${flowElements.length} flow elements, ${present.length} private networks, ${observed.length} observed.`,
    `table inet ${NFT_TABLE} {`,
    ...block(body, '  '),
    '}',
    '',
  ].join('\n');
}

/** One ruleset per zone, `nftables/ZONE.nft`, in zone order of the estate. */
export function renderNftables(estate: CompiledEstate): Artefact[] {
  return estate.zones.map((z) => ({ path: `nftables/${checked('name', z.name)}.nft`, content: renderZoneRuleset(estate, z.name) }));
}
