/**
 * The daemon as the last layer of the local target: `up` ensures it runs (adopting a live one), `down`
 * (first in reverse order) stops it before the layers it reads from disappear.
 */
import type { Layer } from '../layer.ts';
import { daemonHealth, ensureDaemon, stopDaemon } from './control.ts';

export const daemonLayer: Layer = {
  name: 'daemon',
  preconditions: async () => [],
  plan: async (ctx) => {
    const health = await daemonHealth(ctx.stateDir);
    return [
      health
        ? { address: `daemon/${ctx.compiled.estate}`, action: 'keep', reason: `running (pid ${health.pid}); adopted` }
        : { address: `daemon/${ctx.compiled.estate}`, action: 'create', reason: 'serves status and runs checks on the unix socket' },
    ];
  },
  up: async (ctx) => {
    // ensureDaemon logs whether it adopted or started one, and how long the start took.
    await ensureDaemon(ctx.stateDir, ctx.compiled.estate, { log: ctx.log });
  },
  down: async (ctx) => {
    await stopDaemon(ctx.stateDir, { log: ctx.log });
  },
};
