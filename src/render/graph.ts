/**
 * Diagrams of the estate: `graph/estate.mmd` (Mermaid flowchart) and `graph/estate.dot` (Graphviz), the same
 * content in two syntaxes. Applications are islands grouped by tier; databases, caches and buckets have their
 * own shapes; allowed flows are edges labelled with their ports (declared flows solid, data flows dotted).
 * Infrastructure flows (replication, quorum, edge, backup) and their endpoints appear only on request: they
 * are the platform's, and would hide the applications' own segmentation.
 */
import type { Artefact, CompiledEstate, FlowKind } from '../compile/types.ts';
import { TIERS } from '../spec/schema.ts';
import { checked, compareStrings, shortHash } from './util.ts';

export interface GraphOptions {
  /** Include replication, quorum, edge and backup flows and the edges, witness and vault. */
  infrastructure?: boolean;
}

type Shape = 'app' | 'db' | 'cache' | 'bucket' | 'frontend' | 'infra';

interface Node {
  id: string;
  address: string;
  label: string;
  shape: Shape;
  group?: string;
}

interface Edge {
  from: string;
  to: string;
  label: string;
  dotted: boolean;
}

export interface EstateGraph {
  groups: { id: string; label: string; nodes: Node[] }[];
  nodes: Node[]; // outside every group
  edges: Edge[];
}

const APPLICATION_KINDS: readonly FlowKind[] = ['declared', 'data'];

/**
 * Safe identifiers from addresses: every character outside [a-z0-9] becomes '_'. Two addresses mapping to one
 * identifier (possible: `a--b` and `a/b` give `a__b`) both get a short hash of their address appended.
 */
export function nodeIds(addresses: string[]): Map<string, string> {
  const plain = new Map(addresses.map((a) => [a, checked('address', a).replace(/[^a-z0-9]/g, '_')]));
  const count = new Map<string, number>();
  for (const id of plain.values()) count.set(id, (count.get(id) ?? 0) + 1);
  return new Map([...plain].map(([a, id]) => [a, count.get(id)! > 1 ? `${id}_${shortHash(a)}` : id]));
}

/** The graph both syntaxes are printed from. */
export function estateGraph(estate: CompiledEstate, options: GraphOptions = {}): EstateGraph {
  const infrastructure = options.infrastructure ?? false;
  const flows = estate.flows.filter((f) => infrastructure || APPLICATION_KINDS.includes(f.kind));
  const entries: { address: string; label: string; shape: Shape; group?: string }[] = [];
  const tierOf = new Map(estate.objectives.map((o) => [o.app, o.tier as string]));
  for (const network of estate.networks) {
    const name = network.owner.slice(network.owner.indexOf('/') + 1);
    if (network.ownerKind === 'app') entries.push({ address: network.owner, label: name, shape: 'app', group: tierOf.get(network.owner) ?? 'untiered' });
    else entries.push({ address: network.owner, label: network.owner, shape: network.ownerKind });
  }
  for (const frontend of estate.frontends) entries.push({ address: frontend.address, label: checked('host', frontend.host), shape: 'frontend' });
  if (infrastructure) for (const block of estate.infrastructure) entries.push({ address: block.address, label: block.address, shape: 'infra' });
  const ids = nodeIds(entries.map((e) => e.address));
  const nodes: Node[] = entries
    .map((e) => ({ ...e, id: ids.get(e.address)! }))
    .sort((a, b) => compareStrings(a.address, b.address));

  const pairs = new Map<string, { from: string; to: string; ports: Set<string>; dotted: boolean }>();
  for (const flow of flows) {
    const from = ids.get(flow.from);
    const to = ids.get(flow.to);
    if (!from || !to) continue; // an infrastructure endpoint while infrastructure is hidden
    const key = `${from} ${to}`;
    const pair = pairs.get(key) ?? { from, to, ports: new Set<string>(), dotted: true };
    pair.ports.add(`${flow.port}/${flow.protocol}`);
    if (flow.kind === 'declared') pair.dotted = false;
    pairs.set(key, pair);
  }
  for (const frontend of estate.frontends) {
    const key = `${ids.get(frontend.address)} ${ids.get(frontend.app)}`;
    if (ids.get(frontend.app)) pairs.set(key, { from: ids.get(frontend.address)!, to: ids.get(frontend.app)!, ports: new Set(['http']), dotted: false });
  }
  const byNumber = (a: string, b: string) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || compareStrings(a, b);
  const edges = [...pairs.values()]
    .map((p) => ({ from: p.from, to: p.to, label: [...p.ports].sort(byNumber).join(', '), dotted: p.dotted }))
    .sort((a, b) => compareStrings(a.from, b.from) || compareStrings(a.to, b.to));

  const order = [...TIERS, 'untiered'];
  const groupNames = [...new Set(nodes.filter((n) => n.group).map((n) => n.group!))].sort((a, b) => order.indexOf(a) - order.indexOf(b) || compareStrings(a, b));
  return {
    groups: groupNames.map((g) => ({ id: `tier_${g.replace(/[^a-z0-9]/g, '_')}`, label: g, nodes: nodes.filter((n) => n.group === g) })),
    nodes: nodes.filter((n) => !n.group),
    edges,
  };
}

const mermaidText = (text: string) => text.replaceAll('"', '#quot;');

function mermaidNode(n: Node): string {
  const l = `"${mermaidText(n.label)}"`;
  switch (n.shape) {
    case 'app':
      return `${n.id}[${l}]`;
    case 'db':
      return `${n.id}[(${l})]`;
    case 'cache':
      return `${n.id}{{${l}}}`;
    case 'bucket':
      return `${n.id}[/${l}\\]`;
    case 'frontend':
      return `${n.id}([${l}])`;
    case 'infra':
      return `${n.id}>${l}]`;
  }
}

export function renderMermaid(graph: EstateGraph): string {
  const lines = ['flowchart LR'];
  for (const g of graph.groups) {
    lines.push(`  subgraph ${g.id}["${mermaidText(g.label)}"]`);
    for (const n of g.nodes) lines.push(`    ${mermaidNode(n)}`);
    lines.push('  end');
  }
  for (const n of graph.nodes) lines.push(`  ${mermaidNode(n)}`);
  for (const e of graph.edges) lines.push(`  ${e.from} ${e.dotted ? '-.->' : '-->'}|"${mermaidText(e.label)}"| ${e.to}`);
  return `${lines.join('\n')}\n`;
}

const dotText = (text: string) => `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

const DOT_SHAPES: Record<Shape, string> = {
  app: 'box',
  db: 'cylinder',
  cache: 'hexagon',
  bucket: 'folder',
  frontend: 'oval',
  infra: 'cds',
};

function dotNode(n: Node): string {
  return `${n.id} [label=${dotText(n.label)}, shape=${DOT_SHAPES[n.shape]}];`;
}

export function renderDot(graph: EstateGraph, name: string): string {
  const lines = [`digraph ${dotText(name)} {`, '  rankdir=LR;'];
  for (const g of graph.groups) {
    lines.push(`  subgraph cluster_${g.id} {`, `    label=${dotText(g.label)};`);
    for (const n of g.nodes) lines.push(`    ${dotNode(n)}`);
    lines.push('  }');
  }
  for (const n of graph.nodes) lines.push(`  ${dotNode(n)}`);
  for (const e of graph.edges) lines.push(`  ${e.from} -> ${e.to} [label=${dotText(e.label)}${e.dotted ? ', style=dashed' : ''}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** `graph/estate.mmd` and `graph/estate.dot`, without infrastructure flows. */
export function renderGraphs(estate: CompiledEstate, options: GraphOptions = {}): Artefact[] {
  const graph = estateGraph(estate, options);
  return [
    { path: 'graph/estate.dot', content: renderDot(graph, checked('name', estate.estate)) },
    { path: 'graph/estate.mmd', content: renderMermaid(graph) },
  ];
}
