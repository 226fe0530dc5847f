/**
 * The layers `archipel up` runs, in this order (`down` runs them in reverse). Each layer owns its state
 * file under the estate's state directory; see layer.ts for the contract.
 */
import type { Layer } from './layer.ts';
import { networkLayer } from './network/layer.ts';

export const LAYERS: Layer[] = [networkLayer];
