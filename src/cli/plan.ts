/**
 * `archipel plan FILE [--out DIR] [--firewall-limit N] [--format text|json]`: what the estate compiles to.
 *
 * Text: a readable summary on stdout (zones, applications by tier, private networks, flows by kind,
 * firewall appliances and their cost, compared with the other classic per-firewall limit, frontends, data
 * services, buckets, backup levels and what they leave out). JSON: the compiled estate, keys sorted, the
 * same document as plan.json. --out DIR writes every rendered artefact under DIR, each file through a
 * temporary file and a rename so that a reader never sees half a file; one line per file on stderr.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { analyseEstateFile } from '../pipeline.ts';
import { formatDiagnostics, hasErrors } from '../spec/diagnostics.ts';
import { formatDuration } from '../spec/durations.ts';
import { crossingFlows, placeFirewalls } from '../compile/firewalls.ts';
import { FLOW_KINDS } from '../compile/flows.ts';
import type { Artefact, CompiledEstate, FirewallPlan } from '../compile/types.ts';
import type { Model } from '../model/model.ts';
import { renderArtefacts } from '../render/index.ts';
import { stableJson } from '../render/plan-json.ts';
import { EXIT, UsageError, parseCommandArgs, parseFormat, type Command } from './command.ts';

const USAGE = `usage: archipel plan FILE [--out DIR] [--firewall-limit N] [--format text|json]

Compile an estate and summarise it: zones, applications, private networks, flows, firewall appliances and
their cost, frontends, data services, buckets and backups. Nothing is started or changed.

options:
  --out DIR            write every artefact (nftables, haproxy.cfg, plan.json, graphs, lifecycles) under DIR
  --firewall-limit N   private networks per firewall appliance, instead of the estate's value
  --format text|json   text summary (default) or the compiled estate as JSON on stdout

exit codes: 0 ok, 2 bad input or usage`;

/** The classic per-firewall limits (a provider's old and raised value), compared in the summary. */
const CLASSIC_LIMITS = [8, 20];

export const command: Command = {
  summary: 'compile an estate and summarise it; --out writes every artefact',
  usage: USAGE,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(args, {
      out: { type: 'string' },
      'firewall-limit': { type: 'string' },
      format: { type: 'string' },
    });
    const format = parseFormat(values.format);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing FILE' : `expected one FILE, got ${positionals.length}`);
    const limitText = values['firewall-limit'];
    let limit: number | undefined;
    if (limitText !== undefined) {
      limit = Number(limitText);
      if (!/^[0-9]+$/.test(limitText) || limit < 1 || limit > 1000) throw new UsageError(`--firewall-limit must be an integer from 1 to 1000, got "${limitText}"`);
    }
    const file = positionals[0]!;
    const analysis = await analyseEstateFile(resolve(io.cwd, file), limit !== undefined ? { privateNetworksPerFirewall: limit } : {});
    const diagnostics = analysis.diagnostics.map((d) => ({ ...d, file }));
    if (diagnostics.length > 0) io.err(`${formatDiagnostics(diagnostics, analysis.source)}\n`);
    if (hasErrors(diagnostics) || !analysis.compiled || !analysis.model) return EXIT.USAGE;
    const compiled = analysis.compiled;

    if (values.out !== undefined) {
      const dir = resolve(io.cwd, values.out);
      const written = await writeArtefacts(dir, renderArtefacts(compiled));
      for (const path of written) io.err(`wrote ${join(values.out, path)}\n`);
    }
    if (format === 'json') io.out(stableJson(compiled));
    else io.out(summarise(compiled, analysis.model, limit === undefined));
    return EXIT.OK;
  },
};

/**
 * Write artefacts under dir, each through a temporary file renamed into place. A path that is absolute or
 * would land outside dir is refused before anything is written. Returns the paths written, in order.
 */
export async function writeArtefacts(dir: string, artefacts: readonly Artefact[]): Promise<string[]> {
  const root = resolve(dir);
  for (const a of artefacts) {
    const target = resolve(root, a.path);
    if (a.path === '' || isAbsolute(a.path) || !target.startsWith(root + sep) || relative(root, target).split(sep).includes('..')) {
      throw new Error(`refusing to write an artefact outside ${root}: ${JSON.stringify(a.path)}`);
    }
  }
  const written: string[] = [];
  for (const a of artefacts) {
    const target = resolve(root, a.path);
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
    await writeFile(temp, a.content, { mode: 0o644 });
    await rename(temp, target);
    written.push(a.path);
  }
  return written;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function money(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function firewallLine(plan: FirewallPlan, crossing: number): string {
  const appliances = plan.zones.reduce((s, z) => s + z.appliances.length, 0);
  const cost = plan.totalCost !== undefined ? `, cost ${money(plan.totalCost)}` : '';
  return `${plural(appliances, 'appliance')} = ${plural(plan.units, 'unit')} (HA pairs)${cost}, ${plural(crossing, 'flow')} crossing appliances`;
}

/** The human summary of a compiled estate (pure). `compare`: also show the other classic firewall limit. */
export function summarise(estate: CompiledEstate, model: Model, compare: boolean): string {
  const out: string[] = [];
  const zones = estate.zones.map((z) => z.name).join(', ');
  out.push(`estate ${estate.estate}: zones ${zones}${estate.witness ? `, witness ${estate.witness.name}` : ''}; pool ${estate.pool}, /${model.networkPrefix} per network`);

  out.push('', `applications: ${model.applications.length}`);
  for (const tier of ['critical', 'important', 'standard'] as const) {
    const apps = model.applications.filter((a) => a.tier === tier);
    if (apps.length === 0) continue;
    const rto = new Set(apps.map((a) => a.objectives.rtoSeconds));
    const rpo = new Set(apps.map((a) => a.objectives.rpoSeconds));
    const objectives =
      rto.size === 1 && rpo.size === 1 ? `rto ${formatDuration([...rto][0]!)}, rpo ${formatDuration([...rpo][0]!)}` : 'objectives vary';
    const names = apps.map((a) => a.name);
    const shown = names.length > 12 ? `${names.slice(0, 12).join(', ')}, ... (${names.length - 12} more)` : names.join(', ');
    out.push(`  ${tier.padEnd(9)} ${String(apps.length).padStart(4)}  (${objectives})  ${shown}`);
  }

  const byKind = (kind: string) => estate.networks.filter((n) => n.ownerKind === kind).length;
  out.push(
    '',
    `private networks: ${estate.networks.length} (${plural(byKind('app'), 'application')}, ${plural(byKind('db'), 'database')}, ${plural(byKind('cache'), 'cache')}, ${plural(byKind('bucket'), 'bucket')}); ${plural(estate.instances.length, 'instance')}`,
  );
  const observed = estate.networks.filter((n) => n.observe).length;
  if (observed > 0) out.push(`  observe mode on ${plural(observed, 'network')}: denials are logged, not enforced`);

  const kinds = FLOW_KINDS.map((k) => `${k} ${estate.flows.filter((f) => f.kind === k).length}`).join(', ');
  out.push('', `flows: ${estate.flows.length} (${kinds})`);

  const fw = estate.firewalls;
  out.push('', `firewalls: at most ${fw.privateNetworksPerFirewall} private networks per appliance${fw.unitCost !== undefined ? `, ${money(fw.unitCost)} per unit` : ''}`);
  for (const z of fw.zones) {
    const sizes = z.appliances.map((a) => a.networks.length).join(' + ');
    out.push(`  ${z.zone.padEnd(9)} ${plural(z.appliances.length, 'appliance')}${sizes ? ` (${sizes} ${sizes === '1' ? 'network' : 'networks'})` : ''}`);
  }
  out.push(`  total     ${firewallLine(fw, crossingFlows(fw, estate.flows))}`);
  if (compare) {
    for (const other of CLASSIC_LIMITS.filter((l) => l !== fw.privateNetworksPerFirewall)) {
      const alt = placeFirewalls(estate.zones.map((z) => z.name), estate.networks, estate.flows, other, fw.unitCost);
      out.push(`  at ${String(other).padEnd(6)} ${firewallLine(alt, crossingFlows(alt, estate.flows))}`);
    }
  }

  out.push('', `frontends: ${estate.frontends.length}`);
  for (const f of estate.frontends) {
    const p = f.policy;
    const who = [p.public ? 'public' : '', ...p.groups.map((g) => `group:${g}`), ...p.users.map((u) => `user:${u}`)].filter(Boolean).join(' ');
    const extra = [
      p.device === 'managed' ? 'managed device' : '',
      p.mfa ? 'mfa' : '',
      p.sources.length ? `from ${p.sources.join(' ')}` : '',
      p.rateLimit ? `${p.rateLimit.requests} req/${formatDuration(p.rateLimit.perSeconds)}` : '',
    ].filter(Boolean);
    out.push(`  ${f.host} -> ${f.app}:${f.port}, ${plural(f.backends.length, 'backend')}; ${who}${extra.length ? `; ${extra.join(', ')}` : ''}`);
  }

  const services = [...estate.data.databases, ...estate.data.caches];
  out.push('', `data services: ${services.length}`);
  for (const s of services) {
    out.push(
      `  ${s.address.padEnd(20)} ${s.engine.padEnd(8)} primary ${s.primaryZone}, ${s.synchronous ? 'synchronous' : 'asynchronous'}, ${plural(s.members.length, 'member')}, ${plural(s.voters.length, 'voter')}, ${plural(s.clients.length, 'client')}`,
    );
  }

  out.push('', `buckets: ${estate.buckets.length}`);
  for (const b of estate.buckets) {
    const limit = b.deleteAfterSeconds !== undefined ? `deleted after ${formatDuration(b.deleteAfterSeconds)}` : 'no delete-by limit';
    out.push(`  ${b.address.padEnd(20)} ${b.class.padEnd(11)} ${limit}, ${plural(b.clients.length, 'client')}`);
  }

  out.push('', `backups: ${estate.backups.levels.length === 0 ? 'none declared: nothing is backed up' : plural(estate.backups.levels.length, 'level')}`);
  for (const l of estate.backups.levels) {
    out.push(`  ${l.level.padEnd(10)} every ${formatDuration(l.everySeconds).padEnd(4)} keeps ${formatDuration(l.keepsForSeconds)}${l.immutable ? ', immutable' : ''}`);
  }
  const excluded = estate.backups.items.filter((i) => !i.included);
  if (excluded.length > 0) {
    out.push(`  excluded: ${excluded.length}`);
    for (const i of excluded) out.push(`    ${i.address}: ${i.reason}`);
  }
  const personal = estate.backups.items.filter((i) => i.included && i.encryptionKeyClass).length;
  if (personal > 0) out.push(`  ${plural(personal, 'item')} encrypted with a per-class key (personal data)`);
  return `${out.join('\n')}\n`;
}
