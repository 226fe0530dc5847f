// PLACEHOLDER (replaced by the spec work): signature only.
import type { Diagnostic } from './diagnostics.ts';
import type { EstateSpec } from './schema.ts';

/** Meaning checks over a structurally valid estate; diagnostics carry `path`, never positions. */
export function validateEstate(_spec: EstateSpec): Diagnostic[] {
  throw new Error('not built yet');
}
