/**
 * `archipel graph FILE [--format mermaid|dot|json] [--infra]`: the estate's diagram on stdout (applications
 * grouped by tier, data services, allowed flows labelled with ports). Diagnostics go to stderr; an estate
 * with errors exits 2 and prints no diagram.
 */
import { resolve } from 'node:path';
import { analyseEstateFile } from '../pipeline.ts';
import { formatDiagnostics, hasErrors } from '../spec/diagnostics.ts';
import { estateGraph, renderDot, renderMermaid } from '../render/graph.ts';
import { stableJson } from '../render/plan-json.ts';
import { EXIT, UsageError, parseCommandArgs, type Command } from './command.ts';

const FORMATS = ['mermaid', 'dot', 'json'] as const;
type GraphFormat = (typeof FORMATS)[number];

const USAGE = `usage: archipel graph FILE [--format mermaid|dot|json] [--infra]

Print the estate as a diagram: applications grouped by tier, databases, caches and buckets, exposed hosts,
and the allowed flows labelled with their ports (declared flows solid, data flows dotted).

options:
  --format mermaid|dot|json   Mermaid flowchart (default), Graphviz DOT, or the graph as JSON
  --infra                     also show replication, quorum, edge and backup flows and their endpoints

exit codes: 0 ok, 2 bad input or usage`;

export const command: Command = {
  summary: 'print the estate as a Mermaid or Graphviz diagram',
  usage: USAGE,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(args, { format: { type: 'string' }, infra: { type: 'boolean' } });
    const format = (values.format ?? 'mermaid') as GraphFormat;
    if (!FORMATS.includes(format)) throw new UsageError(`unknown format "${values.format}" (valid values: ${FORMATS.join(', ')})`);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing FILE' : `one FILE expected, got ${positionals.length}`);
    const analysis = await analyseEstateFile(resolve(io.cwd, positionals[0]!));
    if (analysis.diagnostics.length > 0) io.err(`${formatDiagnostics(analysis.diagnostics, analysis.source)}\n`);
    if (hasErrors(analysis.diagnostics) || !analysis.compiled) return EXIT.USAGE;
    const graph = estateGraph(analysis.compiled, { infrastructure: values.infra ?? false });
    if (format === 'mermaid') io.out(renderMermaid(graph));
    else if (format === 'dot') io.out(renderDot(graph, analysis.compiled.estate));
    else io.out(stableJson(graph));
    return EXIT.OK;
  },
};
