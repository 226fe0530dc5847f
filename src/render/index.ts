/**
 * Every artefact of a compiled estate, from pure renderers: nftables rulesets per zone, HAProxy edges per
 * zone, plan.json, the estate's diagrams and the buckets' lifecycle rules. Same estate in, byte-identical
 * artefacts out, sorted by path.
 */
import type { Artefact, CompiledEstate } from '../compile/types.ts';
import { renderGraphs } from './graph.ts';
import { renderHaproxy } from './haproxy.ts';
import { renderLifecycles } from './lifecycle.ts';
import { renderNftables } from './nftables.ts';
import { renderPlanJson } from './plan-json.ts';
import { compareStrings } from './util.ts';

/** Every artefact of an estate, sorted by path: nftables per zone, haproxy.cfg, plan.json, graphs, lifecycle XML. */
export function renderArtefacts(estate: CompiledEstate): Artefact[] {
  const artefacts = [
    ...renderNftables(estate),
    ...renderHaproxy(estate),
    ...renderPlanJson(estate),
    ...renderGraphs(estate),
    ...renderLifecycles(estate),
  ].sort((a, b) => compareStrings(a.path, b.path));
  for (let i = 1; i < artefacts.length; i++) {
    if (artefacts[i]!.path === artefacts[i - 1]!.path) throw new Error(`render: two artefacts at ${artefacts[i]!.path}`);
  }
  return artefacts;
}
