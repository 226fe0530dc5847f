// PLACEHOLDER (replaced by the compile work): signature only.
import type { EstateSpec } from '../spec/schema.ts';
import type { Model } from './model.ts';

export function resolveEstate(_spec: EstateSpec): Model {
  throw new Error('not built yet');
}
