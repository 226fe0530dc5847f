/**
 * One measurement of the pure pipeline on a generated estate, and the arithmetic of the compile bench.
 *
 * measureOnce() runs exactly the stages analyseEstateText (src/pipeline.ts) chains: load (YAML with positions
 * + schema), meaning checks, resolve + compile, then renderArtefacts, timing each one cold (a CLI run is cold),
 * then checks that analyseEstateText itself accepts the estate and agrees on the counts. It is meant to run
 * once per fresh process (bench/compile.ts starts one per size and run) so that maxRSS is the peak of that size.
 */
import { performance } from 'node:perf_hooks';
import { generateRegion } from '../scripts/gen-region.ts';
import { loadEstateText } from '../src/spec/load.ts';
import { validateEstate } from '../src/spec/validate.ts';
import { hasErrors, formatDiagnostics } from '../src/spec/diagnostics.ts';
import { resolveEstate } from '../src/model/resolve.ts';
import { compileEstate } from '../src/compile/index.ts';
import { renderArtefacts } from '../src/render/index.ts';
import { analyseEstateText } from '../src/pipeline.ts';

export interface Measurement {
  apps: number;
  instances: number;
  networks: number;
  /** The complete compiled matrix (declared, data, replication, quorum, edge, backup). */
  flows: number;
  declaredFlows: number;
  yamlBytes: number;
  artefacts: number;
  parseValidateMs: number;
  compileMs: number;
  renderMs: number;
  totalMs: number;
  /** process.resourceUsage().maxRSS after the timed stages, in MB. */
  peakMb: number;
}

/** Thrown when the pipeline rejects a generated estate: a bug in the generator or the pipeline, never a timing. */
export class PipelineRejected extends Error {}

export function measureOnce(applications: number): Measurement {
  const { text, spec } = generateRegion({ applications });
  const file = `bench-${applications}.yaml`;
  const t0 = performance.now();
  const loaded = loadEstateText(text, file);
  if (!loaded.spec || hasErrors(loaded.diagnostics)) throw new PipelineRejected(formatDiagnostics(loaded.diagnostics.slice(0, 5)));
  const checks = validateEstate(loaded.spec);
  const t1 = performance.now();
  if (hasErrors(checks)) throw new PipelineRejected(formatDiagnostics(checks.filter((d) => d.severity === 'error').slice(0, 5)));
  const model = resolveEstate(loaded.spec);
  const compiled = compileEstate(model);
  const t2 = performance.now();
  if (!compiled.estate || hasErrors(compiled.diagnostics)) throw new PipelineRejected(formatDiagnostics(compiled.diagnostics.slice(0, 5)));
  const artefacts = renderArtefacts(compiled.estate);
  const t3 = performance.now();
  const peakMb = process.resourceUsage().maxRSS / 1024;
  // The real entry point must agree (after the peak is taken, so it does not count twice).
  const analysis = analyseEstateText(text, file);
  if (!analysis.compiled) throw new PipelineRejected(formatDiagnostics(analysis.diagnostics.slice(0, 5)));
  if (analysis.compiled.flows.length !== compiled.estate.flows.length) throw new PipelineRejected('analyseEstateText and the staged run disagree');
  const e = compiled.estate;
  return {
    apps: Object.keys(spec.applications).length,
    instances: e.instances.length,
    networks: e.networks.length,
    flows: e.flows.length,
    declaredFlows: e.flows.filter((f) => f.kind === 'declared').length,
    yamlBytes: Buffer.byteLength(text),
    artefacts: artefacts.length,
    parseValidateMs: t1 - t0,
    compileMs: t2 - t1,
    renderMs: t3 - t2,
    totalMs: t3 - t0,
    peakMb,
  };
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Per-column median of several runs of the same size (counts are identical across runs: checked). */
export function summarise(runs: Measurement[]): Measurement {
  const first = runs[0];
  if (!first) throw new Error('no runs');
  for (const r of runs) {
    if (r.flows !== first.flows || r.networks !== first.networks) throw new Error('runs of one size disagree on counts: non-deterministic pipeline?');
  }
  const m = (key: keyof Measurement) => median(runs.map((r) => r[key]));
  return { ...first, parseValidateMs: m('parseValidateMs'), compileMs: m('compileMs'), renderMs: m('renderMs'), totalMs: m('totalMs'), peakMb: m('peakMb') };
}

const COLUMNS: [string, (m: Measurement) => string][] = [
  ['apps', (m) => String(m.apps)],
  ['instances', (m) => String(m.instances)],
  ['networks', (m) => String(m.networks)],
  ['flows', (m) => String(m.flows)],
  ['parse+validate ms', (m) => m.parseValidateMs.toFixed(0)],
  ['compile ms', (m) => m.compileMs.toFixed(0)],
  ['render ms', (m) => m.renderMs.toFixed(0)],
  ['total ms', (m) => m.totalMs.toFixed(0)],
  ['peak MB', (m) => m.peakMb.toFixed(0)],
];

/** A plain-text table, right-aligned numbers. */
export function formatTable(rows: Measurement[]): string {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n');
}

/** The one-line summary: the 1,000-application figure against its target, and the largest size. */
export function summaryLine(rows: Measurement[], runs: number, targetMs = 1000): string {
  const ref = rows.find((r) => r.apps === 1000) ?? rows[rows.length - 1];
  if (!ref) return 'bench:compile: nothing measured';
  const largest = rows[rows.length - 1]!;
  const verdict = ref.apps === 1000 ? (ref.totalMs < targetMs ? 'met' : 'MISSED') : 'no 1000-app run';
  const tail = largest !== ref ? `; ${largest.apps} apps in ${largest.totalMs.toFixed(0)} ms, peak ${largest.peakMb.toFixed(0)} MB` : '';
  return `bench:compile: ${ref.apps} apps in ${ref.totalMs.toFixed(0)} ms (target < ${targetMs} ms: ${verdict}), peak ${ref.peakMb.toFixed(0)} MB${tail} (median of ${runs} cold run${runs === 1 ? '' : 's'})`;
}
