/**
 * `archipel flows suggest FILE [--format yaml|json]`: the traffic the zone firewalls observed (observe
 * mode) or denied and that no flow declares, as `flows:` entries to paste, grouped per application.
 * `archipel flows denied FILE [--format json]`: the denied-flow log (source, destination, port, owners) and
 * the firewall counters per zone.
 */
import { resolveEstateRef } from '../runtime/local/daemon/estate-ref.ts';
import { readNetworkState } from '../runtime/local/network/state.ts';
import { readCounters, readSeenFlows, suggestFlows, suggestionsYaml } from '../runtime/local/network/probe/observed.ts';
import { EXIT, UsageError, parseCommandArgs, parseFormat, toJson, type Command } from './command.ts';

const USAGE = `usage: archipel flows suggest FILE [--format yaml|json]
       archipel flows denied FILE [--format json]

suggest: flows seen by the zone firewalls (@observed, and @denied) that the estate does not declare, as
         entries to paste under each application (YAML by default).
denied:  the denied-flow log of every zone (source, destination, port, owners) and the firewall counters.
Needs root; the estate must be up.

exit codes: 0 ok, 1 failure, 2 bad input or usage`;

export const command: Command = {
  summary: 'suggest flows from observed traffic; list denied flows',
  usage: USAGE,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(args, { format: { type: 'string' } });
    const [action, ...rest] = positionals;
    if (action !== 'suggest' && action !== 'denied') throw new UsageError(`unknown action "${action ?? ''}" (valid: suggest, denied)`);
    let format: 'yaml' | 'json' | 'text';
    if (action === 'suggest') {
      if (values.format !== undefined && values.format !== 'yaml' && values.format !== 'json') throw new UsageError(`unknown format "${values.format}" (valid values: yaml, json)`);
      format = (values.format as 'yaml' | 'json' | undefined) ?? 'yaml';
    } else format = parseFormat(values.format);
    const resolved = await resolveEstateRef(rest, undefined, io);
    if (!resolved) return EXIT.USAGE;
    const { estate, stateDir, compiled } = resolved.ref;
    const state = await readNetworkState(stateDir);
    if (!state || !compiled) {
      io.err(`archipel flows: estate ${estate} is not up\n`);
      return EXIT.USAGE;
    }
    if (action === 'suggest') {
      const seen = [...(await readSeenFlows(compiled, state, 'observed')), ...(await readSeenFlows(compiled, state, 'denied'))];
      const { suggestions, skipped } = suggestFlows(compiled, seen);
      if (format === 'json') io.out(toJson({ estate, suggestions, skipped }));
      else {
        io.out(suggestionsYaml(suggestions));
        for (const s of skipped) io.err(`not an application flow, left out: ${s.source} (${s.sourceOwner ?? '?'}) -> ${s.destination} (${s.destinationOwner ?? '?'}):${s.port}/${s.protocol}\n`);
      }
      return EXIT.OK;
    }
    const denied = await readSeenFlows(compiled, state, 'denied');
    const counters = await readCounters(state);
    if (format === 'json') io.out(toJson({ estate, denied, counters }));
    else {
      const lines = denied.map((d) => `${d.zone} ${d.source} (${d.sourceOwner ?? '?'}) -> ${d.destination} (${d.destinationOwner ?? '?'}) ${d.port}/${d.protocol}`);
      for (const [zone, c] of Object.entries(counters)) lines.push(`${zone} counters: ${Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      io.out(`${lines.join('\n')}\n`);
    }
    return EXIT.OK;
  },
};
