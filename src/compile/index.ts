/**
 * The pure compiler: model -> CompiledEstate (src/compile/types.ts), the contract every renderer and target
 * reads. Each concern lives in its own module (addresses, flows, firewalls, frontends, data, buckets,
 * backups, access); this one runs them in order and collects their diagnostics.
 *
 * Pure: no I/O, no clock, no randomness; every array sorted by canonical address, so the same estate always
 * compiles to a byte-identical JSON.
 */
import type { Diagnostic } from '../spec/diagnostics.ts';
import type { Model } from '../model/model.ts';
import { planAddresses } from './addresses.ts';
import { compileFlows } from './flows.ts';
import { placeFirewalls } from './firewalls.ts';
import { compileFrontends } from './frontends.ts';
import { compileData } from './data.ts';
import { compileBuckets } from './buckets.ts';
import { compileBackups } from './backups.ts';
import { compileAccess, compileObjectives } from './access.ts';
import type { CompiledEstate } from './types.ts';

export interface CompileOptions {
  /** Overrides the estate's firewalls.privateNetworksPerFirewall (plan --firewall-limit). */
  privateNetworksPerFirewall?: number;
}

/** Pure: no I/O, no clock. Diagnostics carry `path` (e.g. ['addressPool']) where one applies. */
export function compileEstate(model: Model, options: CompileOptions = {}): { estate?: CompiledEstate; diagnostics: Diagnostic[] } {
  const addresses = planAddresses(model);
  const flows = compileFlows(model);
  const diagnostics = [...addresses.diagnostics, ...flows.diagnostics];
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const limit = options.privateNetworksPerFirewall ?? model.firewalls.privateNetworksPerFirewall;
  const estate: CompiledEstate = {
    format: 1,
    estate: model.estate,
    pool: model.addressPool,
    zones: model.zones.map((name, index) => ({ name, index, address: `zone/${name}` })),
    ...(model.witness ? { witness: { name: model.witness, address: `witness/${model.witness}` } } : {}),
    infrastructure: addresses.infrastructure,
    networks: addresses.networks,
    instances: addresses.instances,
    flows: flows.flows,
    firewalls: placeFirewalls(model.zones, addresses.networks, flows.flows, limit, model.firewalls.unitCost),
    frontends: compileFrontends(model, addresses.instances),
    data: compileData(model, addresses.instances),
    buckets: compileBuckets(model),
    backups: compileBackups(model),
    access: compileAccess(model),
    objectives: compileObjectives(model),
  };
  return { estate, diagnostics };
}
