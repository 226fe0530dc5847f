/**
 * The probe's entry points for other modules (bench:net, drills): runProbe by state directory, and the
 * building blocks re-exported.
 */
import type { CompiledEstate } from '../../../../compile/types.ts';
import { readNetworkState } from '../state.ts';
import { runProbe as probeState, type ProbeOptions, type ProbeResult } from './probe.ts';

export { CANARY_TCP, CANARY_UDP, compare, formatReport, ownerOfIp, type Difference, type ProbeSummary } from './matrix.ts';
export type { ProbeOptions, ProbeResult } from './probe.ts';

/** Probes the estate recorded in `stateDir` (the form bench:net calls); throws when it is not up. */
export async function runProbe(input: { compiled: CompiledEstate; stateDir: string } & ProbeOptions): Promise<ProbeResult> {
  const state = await readNetworkState(input.stateDir);
  if (!state) throw new Error(`no network state in ${input.stateDir}: the estate is not up`);
  const { compiled, stateDir: _stateDir, ...options } = input;
  return probeState(compiled, state, options);
}
