/**
 * `archipel probe FILE [--format json]`: proves the running estate's segmentation. Every instance, edge and
 * witness namespace tries every listening port of the others (found in the kernel), the probe's canaries
 * and stand-ins for declared ports; the observed matrix is compared with the declared one.
 * Exit 0 when exact, 1 on any difference (each listed), 2 on bad input or when the estate is not up.
 */
import { resolveEstateRef } from '../runtime/local/daemon/estate-ref.ts';
import { readNetworkState } from '../runtime/local/network/state.ts';
import { runProbe } from '../runtime/local/network/probe/probe.ts';
import { formatReport, undeclaredListeners } from '../runtime/local/network/probe/matrix.ts';
import { EXIT, UsageError, parseCommandArgs, parseFormat, toJson, type Command } from './command.ts';

const USAGE = `usage: archipel probe FILE [--format json] [--timeout MS]

Try every listening TCP port (and the probe's own TCP and UDP canaries) of every instance and the witness
from every instance, edge and witness namespace, classify each attempt open / closed (reset) / filtered
(ICMP admin-prohibited) / silent (timeout) and compare with the declared flows. Needs root; the estate
must be up.

options:
  --format json    the summary and every difference on stdout
  --timeout MS     how long a silent target is waited for (default 400)

exit codes: 0 exactly the declared matrix, 1 differences found, 2 bad input, usage, or estate not up`;

export const command: Command = {
  summary: 'prove the segmentation: observed reachability vs declared flows',
  usage: USAGE,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(args, { format: { type: 'string' }, timeout: { type: 'string' } });
    const format = parseFormat(values.format);
    const timeoutMs = values.timeout === undefined ? 400 : Number(values.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000) throw new UsageError(`--timeout must be 1..60000 ms, got "${values.timeout}"`);
    if (positionals.length !== 1) throw new UsageError('give exactly one estate file');
    const resolved = await resolveEstateRef(positionals, undefined, io);
    if (!resolved) return EXIT.USAGE;
    const { estate, stateDir, compiled } = resolved.ref;
    if (!compiled) return EXIT.USAGE;
    const state = await readNetworkState(stateDir);
    if (!state) {
      io.err(`archipel probe: estate ${estate} is not up (run: archipel up ${positionals[0]})\n`);
      return EXIT.USAGE;
    }
    const result = await runProbe(compiled, state, { timeoutMs, env: io.env, log: (m) => io.err(`${m}\n`) });
    const undeclared = undeclaredListeners(compiled, result.listeners);
    if (format === 'json') io.out(toJson({ estate, seconds: Number(result.seconds.toFixed(3)), summary: result.summary, differences: result.differences, listeners: result.listeners, undeclaredListeners: undeclared }));
    else {
      io.out(formatReport(result.summary, result.differences, result.seconds));
      // Not a difference (the firewall filters them) but a service nobody declared: name it.
      for (const l of undeclared) io.out(`  UNDECLARED LISTENER ${l.instance} ${l.port} (not in the estate; filtered unless a flow allows it)\n`);
    }
    return result.summary.differences === 0 ? EXIT.OK : EXIT.FAILURE;
  },
};
