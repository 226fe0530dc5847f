/**
 * `archipel fault inject KIND [--zone Z] [--instance ADDRESS] FILE`, `archipel fault heal KIND|--all FILE`,
 * `archipel fault list FILE [--format json]`: the reversible fault primitives drills compose (see
 * src/runtime/local/network/faults/faults.ts). Every injected fault is recorded before it is applied.
 */
import { resolveEstateRef } from '../runtime/local/daemon/estate-ref.ts';
import { readNetworkState } from '../runtime/local/network/state.ts';
import { FAULT_KINDS, healFault, injectFault, listFaults, type FaultKind } from '../runtime/local/network/faults/faults.ts';
import { EXIT, UsageError, parseCommandArgs, parseFormat, toJson, type Command } from './command.ts';

const USAGE = `usage: archipel fault inject zone-loss --zone ZONE FILE
       archipel fault inject backbone-cut|witness-loss FILE
       archipel fault inject instance-crash --instance ADDRESS FILE
       archipel fault heal KIND|--all FILE
       archipel fault list FILE [--format json]

kinds: ${FAULT_KINDS.join(', ')}
zone-loss freezes the zone's processes and silences its links (peers see timeouts, not resets);
instance-crash is a kill -9 (its supervisor restarts it). Needs root; the estate must be up.

exit codes: 0 done, 1 failed, 2 bad input or usage`;

export const command: Command = {
  summary: 'inject, heal and list faults (zone loss, backbone cut, witness loss, crash)',
  usage: USAGE,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(args, {
      zone: { type: 'string' },
      instance: { type: 'string' },
      all: { type: 'boolean' },
      format: { type: 'string' },
    });
    const format = parseFormat(values.format);
    const [action, ...rest] = positionals;
    if (action !== 'inject' && action !== 'heal' && action !== 'list') throw new UsageError(`unknown action "${action ?? ''}" (valid: inject, heal, list)`);
    let kind: FaultKind | 'all' | undefined;
    if (action !== 'list') {
      const named = values.all ? 'all' : rest.shift();
      if (named !== 'all' || action === 'inject') {
        if (!FAULT_KINDS.includes(named as FaultKind)) throw new UsageError(`unknown fault kind "${named ?? ''}" (valid: ${FAULT_KINDS.join(', ')})`);
      }
      kind = named as FaultKind | 'all';
    }
    const resolved = await resolveEstateRef(rest, undefined, io);
    if (!resolved) return EXIT.USAGE;
    const { estate, stateDir } = resolved.ref;
    if (action === 'list') {
      const faults = await listFaults(stateDir);
      if (format === 'json') io.out(toJson({ estate, faults }));
      else io.out(faults.length === 0 ? `estate ${estate}: no fault\n` : faults.map((f) => `${f.kind}${f.target ? ` ${f.target}` : ''} since ${f.injectedAt} (${f.pids.length} processes)\n`).join(''));
      return EXIT.OK;
    }
    const state = await readNetworkState(stateDir);
    if (!state) {
      io.err(`archipel fault: estate ${estate} is not up\n`);
      return EXIT.USAGE;
    }
    const ctx = { estate, stateDir, state };
    if (action === 'heal') {
      const healed = await healFault(ctx, kind!);
      io.out(healed.length === 0 ? `nothing to heal\n` : healed.map((f) => `healed ${f.kind}${f.target ? ` ${f.target}` : ''}\n`).join(''));
      return EXIT.OK;
    }
    const target = kind === 'zone-loss' ? values.zone : kind === 'instance-crash' ? values.instance : undefined;
    if (kind === 'zone-loss' && !target) throw new UsageError('zone-loss needs --zone ZONE');
    if (kind === 'instance-crash' && !target) throw new UsageError('instance-crash needs --instance ADDRESS');
    try {
      const record = await injectFault(ctx, kind as FaultKind, target);
      io.out(`injected ${record.kind}${record.target ? ` ${record.target}` : ''}: ${record.pids.length} processes ${record.kind === 'instance-crash' ? 'killed' : 'frozen'}\n`);
      return EXIT.OK;
    } catch (error) {
      const message = (error as Error).message;
      io.err(`archipel fault: ${message}\n`);
      return /^unknown|no witness/.test(message) ? EXIT.USAGE : EXIT.FAILURE;
    }
  },
};
