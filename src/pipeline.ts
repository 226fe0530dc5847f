/**
 * The pure pipeline: text -> spec (parse, structure) -> meaning checks -> model -> compiled estate.
 *
 * Each stage returns diagnostics instead of throwing; the pipeline stops after the first stage with errors
 * (later stages assume a valid input), maps every diagnostic's document path to file:line:column, and sorts.
 * Only analyseEstateFile touches the file system.
 */
import { readFile } from 'node:fs/promises';
import { loadEstateText } from './spec/load.ts';
import { validateEstate } from './spec/validate.ts';
import { hasErrors, sortDiagnostics, type Diagnostic } from './spec/diagnostics.ts';
import type { EstateSpec } from './spec/schema.ts';
import { resolveEstate } from './model/resolve.ts';
import type { Model } from './model/model.ts';
import { compileEstate, type CompileOptions } from './compile/index.ts';
import type { CompiledEstate } from './compile/types.ts';

export type AnalyseOptions = CompileOptions;

export interface Analysis {
  file: string;
  source: string;
  diagnostics: Diagnostic[];
  spec?: EstateSpec;
  model?: Model;
  compiled?: CompiledEstate;
}

export function analyseEstateText(source: string, file: string, options: AnalyseOptions = {}): Analysis {
  const loaded = loadEstateText(source, file);
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  const finish = (extra: Partial<Analysis>): Analysis => ({
    file,
    source,
    diagnostics: sortDiagnostics(
      diagnostics.map((d) => {
        if (d.line !== undefined || !d.path) return { ...d, file: d.file ?? file };
        const at = loaded.locate(d.path);
        return { ...d, file, ...(at ? { line: at.line, column: at.column } : {}) };
      }),
    ),
    ...extra,
  });
  const spec = loaded.spec;
  if (!spec || hasErrors(diagnostics)) return finish({});
  diagnostics.push(...validateEstate(spec));
  if (hasErrors(diagnostics)) return finish({ spec });
  const model = resolveEstate(spec);
  const compiled = compileEstate(model, options);
  diagnostics.push(...compiled.diagnostics);
  if (hasErrors(diagnostics) || !compiled.estate) return finish({ spec, model });
  return finish({ spec, model, compiled: compiled.estate });
}

export async function analyseEstateFile(path: string, options: AnalyseOptions = {}): Promise<Analysis> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    return {
      file: path,
      source: '',
      diagnostics: [{ severity: 'error', code: 'E_FILE', message: `cannot read the estate file (${code})`, file: path }],
    };
  }
  return analyseEstateText(source, path, options);
}
