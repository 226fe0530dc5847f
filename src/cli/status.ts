/**
 * `archipel status FILE|--estate NAME [--format json]`: what runs. Asks the estate daemon when one answers
 * on its socket, otherwise reads the state files and the kernel itself, and says which. Exit 0 when the
 * estate is up and healthy, 1 when it is not up or something is down, 2 on bad input.
 */
import { existsSync } from 'node:fs';
import { daemonPaths, requestDaemon } from '../runtime/local/daemon/control.ts';
import { resolveEstateRef } from '../runtime/local/daemon/estate-ref.ts';
import { collectStatus, type EstateStatus } from '../runtime/local/daemon/status.ts';
import { EXIT, UsageError, parseCommandArgs, parseFormat, toJson, type Command } from './command.ts';

const USAGE = `usage: archipel status FILE [--fresh] [--format json]
       archipel status --estate NAME [--fresh] [--format json]

Show the running estate: zones (router, firewall counters, denied-flow count), applications, instances
(namespace, ip; pid, health and restarts once the compute layer runs them), edges and witness, problems.
Asks the estate daemon when it runs, otherwise reads the state files directly; the output says which.

options:
  --estate NAME      name the estate instead of giving its file
  --fresh            have the daemon collect now instead of answering from its last check (<= 10 s old)
  --format json      machine-readable output on stdout

exit codes: 0 up and healthy, 1 not up or something is down, 2 bad input or usage`;

/** What the verb prints as JSON: the status plus why the daemon was not used, when it was not. */
export type StatusReport = EstateStatus & { daemonNote?: string };

/** Gets the status from the daemon, or from the state files when no daemon answers. */
export async function readStatus(stateDir: string, estate: string, fresh = false): Promise<StatusReport> {
  if (!existsSync(daemonPaths(stateDir).socket)) return { ...(await collectStatus(stateDir, estate)), daemonNote: 'no daemon running' };
  try {
    return await requestDaemon<EstateStatus>(stateDir, fresh ? '/status?fresh=1' : '/status', fresh ? 30_000 : 5000);
  } catch (error) {
    return { ...(await collectStatus(stateDir, estate)), daemonNote: `daemon not answering (${(error as Error).message})` };
  }
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

/** Human-readable status (pure: tested on fixed input). */
export function formatStatus(status: StatusReport): string {
  const lines: string[] = [];
  const state = !status.up ? 'NOT UP' : status.healthy ? 'up, healthy' : `up, ${status.problems.length} problem${status.problems.length === 1 ? '' : 's'}`;
  lines.push(`estate ${status.estate}: ${state}`);
  lines.push(
    status.source === 'daemon' && status.daemon
      ? `source: daemon (pid ${status.daemon.pid}, running since ${status.daemon.startedAt}${status.collectedAt ? `; collected ${status.collectedAt}` : ''})`
      : `source: state files (${status.daemonNote ?? 'no daemon'})`,
  );
  if (status.up) {
    lines.push('', 'zones:');
    for (const zone of status.zones) {
      const counters = zone.counters
        ? Object.entries(zone.counters)
            .map(([name, c]) => `${name} ${c.packets}`)
            .join(', ')
        : (zone.error ?? 'router missing');
      const denied = zone.deniedFlows === undefined ? '' : `; denied flows ${zone.deniedFlows}`;
      lines.push(`  ${zone.zone}  router ${zone.router}  packets: ${counters}${denied}`);
    }
    lines.push('', 'applications:');
    for (const app of status.applications) {
      const healthy = app.healthy === undefined ? '' : `, ${app.healthy} healthy`;
      lines.push(`  ${app.owner}  ${app.instances} instance${app.instances === 1 ? '' : 's'}, ${app.present} present${healthy}`);
    }
    lines.push('', 'instances:');
    const header = ['ADDRESS', 'NAMESPACE', 'IP', 'PRESENT', ...(status.compute ? ['PID', 'HEALTH', 'RESTARTS'] : [])];
    const rows = status.instances.map((i) => [
      i.address,
      i.namespace,
      i.ip ?? '-',
      i.present ? 'yes' : 'NO',
      ...(status.compute ? [String(i.pid ?? '-'), i.health ?? '-', String(i.restarts ?? '-')] : []),
    ]);
    lines.push(...table([header, ...rows]));
    if (!status.compute) lines.push('  (no compute state: pid, health and restarts appear once instances run)');
    if (status.infrastructure.length > 0) {
      lines.push('', 'edges and witness:');
      lines.push(...table(status.infrastructure.map((x) => [x.address, x.namespace, x.present ? 'present' : 'MISSING'])));
    }
  }
  if (status.problems.length > 0) {
    lines.push('', 'problems:');
    for (const problem of status.problems) lines.push(`  - ${problem}`);
  }
  return `${lines.join('\n')}\n`;
}

export const command: Command = {
  summary: 'show what runs: zones, firewall counters, applications, instances (from the daemon or the state files)',
  usage: USAGE,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(args, { format: { type: 'string' }, estate: { type: 'string' }, fresh: { type: 'boolean' } });
    const format = parseFormat(values.format);
    const resolved = await resolveEstateRef(positionals, values.estate, io);
    if (!resolved) return EXIT.USAGE;
    if (resolved.rest.length > 0) throw new UsageError(`unexpected argument "${resolved.rest[0]}"`);
    const status = await readStatus(resolved.ref.stateDir, resolved.ref.estate, values.fresh ?? false);
    io.out(format === 'json' ? toJson(status) : formatStatus(status));
    return status.up && status.healthy ? EXIT.OK : EXIT.FAILURE;
  },
};
