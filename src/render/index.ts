// PLACEHOLDER (replaced by the render work): signature only.
import type { Artefact, CompiledEstate } from '../compile/types.ts';

/** Every artefact of an estate, sorted by path: nftables per zone, haproxy.cfg, plan.json, graphs, lifecycle XML. */
export function renderArtefacts(_estate: CompiledEstate): Artefact[] {
  throw new Error('not built yet');
}
