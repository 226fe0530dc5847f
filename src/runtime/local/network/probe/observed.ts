/**
 * What the zone firewalls saw: the dynamic sets @observed (undeclared traffic accepted in observe mode) and
 * @denied (undeclared traffic rejected), read from every router with `nft -j`, mapped back to owners; and
 * the `flows:` entries to paste that would declare the observed traffic (pure part: suggestFlows).
 */
import type { CompiledEstate } from '../../../../compile/types.ts';
import { run } from '../../run.ts';
import { checkKernelName } from '../names.ts';
import type { NetworkState } from '../state.ts';
import { CANARY_TCP, CANARY_UDP, ownerOfIp } from './matrix.ts';

export interface SeenFlow {
  zone: string;
  source: string;
  destination: string;
  port: number;
  protocol: string;
  sourceOwner?: string;
  destinationOwner?: string;
}

const PROTOCOLS: Record<string, string> = { '6': 'tcp', '17': 'udp' };

/** Elements of an `nft -j list set` answer (concatenations of saddr . daddr . proto . port). */
export function parseSetElements(json: string): { source: string; destination: string; protocol: string; port: number }[] {
  const out: { source: string; destination: string; protocol: string; port: number }[] = [];
  const doc = JSON.parse(json) as { nftables?: { set?: { elem?: unknown[] } }[] };
  for (const item of doc.nftables ?? []) {
    for (const raw of item.set?.elem ?? []) {
      const e = raw as { elem?: { val?: unknown }; concat?: unknown[] };
      const value = (e.elem?.val ?? e) as { concat?: unknown[] };
      const c = value.concat;
      if (!Array.isArray(c) || c.length !== 4) continue;
      out.push({ source: String(c[0]), destination: String(c[1]), protocol: PROTOCOLS[String(c[2])] ?? String(c[2]), port: Number(c[3]) });
    }
  }
  return out;
}

/** Reads @observed or @denied from every zone router. */
export async function readSeenFlows(compiled: CompiledEstate, state: NetworkState, set: 'observed' | 'denied'): Promise<SeenFlow[]> {
  const out: SeenFlow[] = [];
  for (const router of state.namespaces.filter((n) => n.role === 'router')) {
    const { stdout } = await run(['nsenter', `--net=/run/netns/${checkKernelName(router.name)}`, 'nft', '-j', 'list', 'set', 'inet', 'archipel', set]);
    for (const e of parseSetElements(stdout)) {
      const sourceOwner = ownerOfIp(compiled, e.source);
      const destinationOwner = ownerOfIp(compiled, e.destination);
      out.push({ zone: router.zone ?? router.address, ...e, ...(sourceOwner ? { sourceOwner } : {}), ...(destinationOwner ? { destinationOwner } : {}) });
    }
  }
  return out.sort((a, b) => a.zone.localeCompare(b.zone) || a.source.localeCompare(b.source) || a.destination.localeCompare(b.destination) || a.port - b.port);
}

/** Named counters of each router's firewall (declared, data, ..., denied). */
export async function readCounters(state: NetworkState): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const router of state.namespaces.filter((n) => n.role === 'router')) {
    const { stdout } = await run(['nsenter', `--net=/run/netns/${checkKernelName(router.name)}`, 'nft', '-j', 'list', 'counters', 'table', 'inet', 'archipel']);
    const doc = JSON.parse(stdout) as { nftables?: { counter?: { name: string; packets: number } }[] };
    const zone: Record<string, number> = {};
    for (const item of doc.nftables ?? []) if (item.counter) zone[item.counter.name] = item.counter.packets;
    out[router.zone ?? router.address] = zone;
  }
  return out;
}

export interface Suggestion {
  app: string;
  to: string;
  port: number;
  protocol: string;
}

/** The flows to declare: observed between owners, not declared yet, from applications, not the probe's canaries, deduplicated and sorted. */
export function suggestFlows(compiled: CompiledEstate, seen: SeenFlow[]): { suggestions: Suggestion[]; skipped: SeenFlow[] } {
  const declared = new Set(compiled.flows.map((f) => `${f.from}>${f.to}>${f.port}/${f.protocol}`));
  const out = new Map<string, Suggestion>();
  const skipped: SeenFlow[] = [];
  for (const s of seen) {
    if (!s.sourceOwner || !s.destinationOwner || !s.sourceOwner.startsWith('app/') || !/^(app|db|cache|bucket)\//.test(s.destinationOwner)) {
      skipped.push(s);
      continue;
    }
    // The probe's own canaries are not traffic anyone should declare.
    if ((s.protocol === 'tcp' && s.port === CANARY_TCP) || (s.protocol === 'udp' && s.port === CANARY_UDP)) continue;
    if (s.sourceOwner === s.destinationOwner || declared.has(`${s.sourceOwner}>${s.destinationOwner}>${s.port}/${s.protocol}`)) continue;
    const to = s.destinationOwner.startsWith('app/') ? s.destinationOwner.slice(4) : s.destinationOwner;
    const suggestion = { app: s.sourceOwner.slice(4), to, port: s.port, protocol: s.protocol };
    out.set(`${suggestion.app}>${to}>${s.port}/${s.protocol}`, suggestion);
  }
  const suggestions = [...out.values()].sort((a, b) => a.app.localeCompare(b.app) || a.to.localeCompare(b.to) || a.port - b.port);
  return { suggestions, skipped };
}

/** YAML to paste: `applications: NAME: flows:` entries, grouped per application. */
export function suggestionsYaml(suggestions: Suggestion[]): string {
  if (suggestions.length === 0) return '# nothing observed that is not declared already\n';
  const lines = ['# observed, not declared: add these under each application in the estate file', 'applications:'];
  let current = '';
  for (const s of suggestions) {
    if (s.app !== current) lines.push(`  ${s.app}:`, '    flows:');
    current = s.app;
    lines.push(`      - { to: ${s.to}, port: ${s.port}${s.protocol === 'udp' ? ', protocol: udp' : ''} }`);
  }
  return `${lines.join('\n')}\n`;
}
