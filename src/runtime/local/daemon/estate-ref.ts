/**
 * How the operating verbs (`status`, `secrets`) name an estate: its FILE (analysed: diagnostics are shown
 * and errors exit 2) or `--estate NAME` (no file needed, e.g. after the file changed or was lost). Either
 * way the result is the estate name and its state directory (not created: reading verbs create nothing).
 */
import { resolve } from 'node:path';
import { analyseEstateFile } from '../../../pipeline.ts';
import type { CompiledEstate } from '../../../compile/types.ts';
import { formatDiagnostics, hasErrors } from '../../../spec/diagnostics.ts';
import { NAME_PATTERN } from '../../../spec/schema.ts';
import { UsageError, type Io } from '../../../cli/command.ts';
import { stateDirPath } from '../state-dir.ts';

export interface EstateRef {
  estate: string;
  stateDir: string;
  compiled?: CompiledEstate;
}

/**
 * Resolves `FILE` (the first positional) or `--estate NAME`; returns the remaining positionals, or
 * undefined after printing diagnostics (the caller exits 2).
 */
export async function resolveEstateRef(positionals: string[], estateOption: string | undefined, io: Io): Promise<{ ref: EstateRef; rest: string[] } | undefined> {
  if (estateOption !== undefined) {
    if (!NAME_PATTERN.test(estateOption)) throw new UsageError(`invalid estate name "${estateOption}" (must match ${NAME_PATTERN})`);
    return { ref: { estate: estateOption, stateDir: stateDirPath(estateOption, io.env) }, rest: positionals };
  }
  const [file, ...rest] = positionals;
  if (!file) throw new UsageError('missing FILE (or --estate NAME)');
  const analysis = await analyseEstateFile(resolve(io.cwd, file));
  const estate = analysis.compiled?.estate ?? analysis.spec?.estate;
  // Warnings are `validate`'s business; a reading verb shows the file's problems only when it cannot go on.
  if (hasErrors(analysis.diagnostics) || !estate) {
    io.err(`${formatDiagnostics(analysis.diagnostics, analysis.source)}\n`);
    return undefined;
  }
  return { ref: { estate, stateDir: stateDirPath(estate, io.env), ...(analysis.compiled ? { compiled: analysis.compiled } : {}) }, rest };
}
