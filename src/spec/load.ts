// PLACEHOLDER (replaced by the spec work): signature only.
import type { Diagnostic } from './diagnostics.ts';
import type { EstateSpec } from './schema.ts';

export interface LoadedEstate {
  spec?: EstateSpec;
  diagnostics: Diagnostic[];
  /** Position (1-based) of the node at a document path, or of its closest existing ancestor. */
  locate: (path: (string | number)[]) => { line: number; column: number } | undefined;
}

export function loadEstateText(_text: string, _file: string): LoadedEstate {
  throw new Error('not built yet');
}
