/**
 * `plan.json`: the compiled estate as stable JSON, and `stableJson` for every module that writes JSON which
 * must be byte-identical from one run to the next (object keys sorted recursively, array order kept).
 */
import type { Artefact, CompiledEstate } from '../compile/types.ts';
import { compareStrings } from './util.ts';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareStrings)) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** JSON with object keys sorted recursively (code-unit order), two-space indent and a final newline. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

export function renderPlanJson(estate: CompiledEstate): Artefact[] {
  return [{ path: 'plan.json', content: stableJson(estate) }];
}
