// PLACEHOLDER (replaced by the compile work): signature only.
import type { Diagnostic } from '../spec/diagnostics.ts';
import type { Model } from '../model/model.ts';
import type { CompiledEstate } from './types.ts';

export interface CompileOptions {
  /** Overrides the estate's firewalls.privateNetworksPerFirewall (plan --firewall-limit). */
  privateNetworksPerFirewall?: number;
}

/** Pure: no I/O, no clock. Diagnostics carry `path` (e.g. ['addressPool']) where one applies. */
export function compileEstate(_model: Model, _options: CompileOptions = {}): { estate?: CompiledEstate; diagnostics: Diagnostic[] } {
  throw new Error('not built yet');
}
