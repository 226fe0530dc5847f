/**
 * The layers `archipel up` runs, in this order (`down` runs them in reverse). Each layer owns its state
 * file under the estate's state directory; see layer.ts for the contract.
 *
 * Secrets come before compute (instances receive their files at start); edges after the instances they
 * balance; the daemon comes last so that
 * `down` stops it first and it never watches a half-removed estate.
 */
import type { Layer } from './layer.ts';
import { networkLayer } from './network/layer.ts';
import { secretsLayer } from './secrets/layer.ts';
import { computeLayer } from './compute/layer.ts';
import { edgeLayer } from './edge/layer.ts';
import { daemonLayer } from './daemon/layer.ts';

export const LAYERS: Layer[] = [networkLayer, secretsLayer, computeLayer, edgeLayer, daemonLayer];
