/**
 * A layer of the local target (network, compute, data, ...): brought up in order, torn down in reverse.
 *
 * Each layer records what it creates in its own state file under ctx.stateDir BEFORE creating it (write-
 * ahead), so that `down` after a crash at any point removes exactly what exists, and `up` is safe to re-run
 * (it converges: compares what exists with the compiled estate and changes only the difference).
 */
import type { CompiledEstate } from '../../compile/types.ts';

export interface LayerContext {
  compiled: CompiledEstate;
  /** Per-estate state directory (default /var/lib/archipel/ESTATE, or $ARCHIPEL_STATE_DIR/ESTATE). */
  stateDir: string;
  /** Progress for humans, on stderr. */
  log: (message: string) => void;
}

/** One action a layer would take; `archipel up --dry-run` prints them. */
export interface PlannedAction {
  address: string;
  action: 'create' | 'update' | 'delete' | 'keep';
  reason: string;
}

export interface Layer {
  name: string;
  /** Problems that make `up` impossible (not root, missing tool), each with the command that fixes it. */
  preconditions(): Promise<string[]>;
  plan(ctx: LayerContext): Promise<PlannedAction[]>;
  up(ctx: LayerContext): Promise<void>;
  /** Removes what the state file says this layer created for this estate, and nothing else. */
  down(ctx: Omit<LayerContext, 'compiled'> & { estate: string }): Promise<void>;
}
