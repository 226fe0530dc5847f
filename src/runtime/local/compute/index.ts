/**
 * The compute layer's public face: the Layer `archipel up`/`down` run, and the reads other parts use
 * (status views for the daemon and `archipel status`, instance lookup for `logs` and `exec`).
 */
import { join } from 'node:path';
import { localNames } from '../network/names.ts';
import { computePaths, readComputeState } from './state.ts';
import { checkHealthMany, serviceStatus, type ServiceStatus } from './supervisor.ts';

export { computeLayer, ComputeNotReadyError, hostLayout, instancePaths } from './layer.ts';
export { readComputeState, computePaths, type ComputeState } from './state.ts';
export { isolationArgv, instanceCommand, serviceName, type ComputeInstance } from './service.ts';

/** One instance as `archipel status` shows it (the shape of the daemon's ComputeInstanceView). */
export interface ComputeView {
  address: string;
  pid?: number;
  /** healthy | unhealthy | down | crash-loop */
  health: 'healthy' | 'unhealthy' | 'down' | 'crash-loop';
  restarts: number;
}

/**
 * Live view of every recorded instance: runit's state and pid, a health check from inside its namespace,
 * and the number of exits. Undefined when the compute layer has no state for this estate.
 */
export async function readComputeViews(stateDir: string): Promise<ComputeView[] | undefined> {
  const state = await readComputeState(stateDir);
  if (!state) return undefined;
  const paths = computePaths(stateDir);
  const statuses = new Map<string, ServiceStatus>();
  for (const instance of state.instances) statuses.set(instance.address, await serviceStatus(join(paths.sv, instance.service)));
  const names = localNames(state.estate);
  const healthy = await checkHealthMany(state.instances.filter((i) => statuses.get(i.address)!.state === 'run'), (zone) => names.router(zone));
  const views: ComputeView[] = state.instances.map((instance) => {
    const status = statuses.get(instance.address)!;
    const health = status.crashLoop ? 'crash-loop' : status.state !== 'run' ? 'down' : healthy.has(instance.address) ? 'healthy' : 'unhealthy';
    return { address: instance.address, ...(status.pid !== undefined ? { pid: status.pid } : {}), health, restarts: status.restarts };
  });
  return views.sort((a, b) => (a.address < b.address ? -1 : 1));
}
