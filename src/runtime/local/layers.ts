// PLACEHOLDER (owned by the network work): the layers `archipel up` runs, in order.
import type { Layer } from './layer.ts';

export const LAYERS: Layer[] = [];
