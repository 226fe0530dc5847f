/**
 * The local target's compute layer: every application instance of the compiled estate as a runit service,
 * isolated (its network namespace, a bubblewrap mount namespace, its application's uid, no capabilities),
 * logged (svlogd), health-checked from inside its namespace, and stopped from crash-looping.
 *
 * up: record the instances (write-ahead), remove the services of instances no longer declared, write the
 * service directories of new or changed ones, start or adopt the estate's runsvdir, wait (bounded) until every
 * instance runs and is healthy or is crash-looping. down: stop everything the state records and sweep the
 * layer's processes, found by what they are. Data services come later (ownerKind 'app' only today).
 */
import { access, chmod, chown, lstat, mkdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CompiledEstate } from '../../../compile/types.ts';
import { builtinDocumentRoot } from '../../../workload/builtin.ts';
import type { Layer, LayerContext, PlannedAction } from '../layer.ts';
import { run, runAll } from '../run.ts';
import { localNames } from '../network/names.ts';
import { forgetInstanceSecrets, hasSecretStore, materialiseInstanceSecrets } from '../secrets/layer.ts';
import { instanceSecretsDir, secretsByInstance } from '../secrets/plan.ts';
import { allocateUids } from './uids.ts';
import { LIBRARY_ROOTS, serviceFiles, serviceName, type ComputeInstance, type HostLayout, type InstancePaths } from './service.ts';
import { computePaths, readComputeState, removeComputeState, writeComputeState, type ComputePaths, type ComputeState } from './state.ts';
import { checkHealthMany, watchHealth, findRunsvdirs, killPids, netnsInode, serviceStatus, startOrAdoptRunsvdir, stopProcesses, sv } from './supervisor.ts';

/** Programs the layer runs, and the Debian package that provides each. */
export const REQUIRED_PROGRAMS: { path: string; pkg: string }[] = [
  { path: '/usr/bin/runsvdir', pkg: 'runit' },
  { path: '/usr/bin/runsv', pkg: 'runit' },
  { path: '/usr/bin/sv', pkg: 'runit' },
  { path: '/usr/bin/svlogd', pkg: 'runit' },
  { path: '/usr/bin/bwrap', pkg: 'bubblewrap' },
  { path: '/usr/bin/setpriv', pkg: 'util-linux' },
  { path: '/usr/bin/nsenter', pkg: 'util-linux' },
  { path: '/usr/bin/busybox', pkg: 'busybox' },
  { path: '/bin/bash', pkg: 'bash' },
];

/** How long `up` waits for every instance to be healthy: a base plus a little per instance. */
export function readinessTimeoutMs(instances: number): number {
  return 20_000 + instances * 50;
}

/** The application instances of a compiled estate as the compute layer runs them (pure). */
export function desiredInstances(compiled: CompiledEstate, uids: Record<string, number>, namespaceOf: (address: string) => string): ComputeInstance[] {
  return compiled.instances
    .filter((i) => i.ownerKind === 'app')
    .map((i) => {
      const app = i.owner.replace(/^app\//, '');
      const uid = uids[app];
      if (uid === undefined) throw new Error(`no uid allocated for ${i.owner}`);
      const main = i.ports[0];
      if (!main) throw new Error(`${i.address} has no port`);
      const health = i.health && (i.health.http || i.health.tcp) ? { ...(i.health.http ? { http: i.health.http } : {}), ...(i.health.tcp ? { tcp: true } : {}) } : undefined;
      return {
        address: i.address,
        app,
        zone: i.zone,
        index: i.index,
        service: serviceName(i.address),
        namespace: namespaceOf(i.address),
        ip: i.ip,
        port: main.port,
        uid,
        ...(health ? { health } : {}),
        ...(i.run ? { run: [...i.run] } : {}),
      };
    })
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

function appsOf(compiled: CompiledEstate): string[] {
  return [...new Set(compiled.instances.filter((i) => i.ownerKind === 'app').map((i) => i.owner.replace(/^app\//, '')))].sort();
}

/** Plan: compare the recorded instances with the desired ones (pure). */
export function planInstances(recorded: ComputeInstance[], desired: ComputeInstance[]): PlannedAction[] {
  const before = new Map(recorded.map((i) => [i.address, i]));
  const after = new Map(desired.map((i) => [i.address, i]));
  const actions: PlannedAction[] = [];
  for (const [address, instance] of after) {
    const old = before.get(address);
    if (!old) actions.push({ address, action: 'create', reason: instance.run ? `run ${instance.run[0]}` : 'built-in workload' });
    else if (JSON.stringify(old) !== JSON.stringify(instance)) actions.push({ address, action: 'update', reason: 'command, port, health or uid changed: restart' });
    else actions.push({ address, action: 'keep', reason: 'unchanged' });
  }
  for (const address of before.keys()) if (!after.has(address)) actions.push({ address, action: 'delete', reason: 'no longer in the estate' });
  return actions.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/** The host's top-level library and program entries: symlinks (merged /usr) or directories. */
export async function hostLayout(): Promise<HostLayout> {
  const layout: HostLayout = { symlinks: {}, directories: [] };
  for (const entry of LIBRARY_ROOTS) {
    try {
      const info = await lstat(entry);
      if (info.isSymbolicLink()) layout.symlinks[entry] = await readlink(entry);
      else if (info.isDirectory()) layout.directories.push(entry);
    } catch {
      // absent on this host
    }
  }
  return layout;
}

/** Host paths of an instance; `secrets` is the directory of its materialised secrets, when it has some. */
export function instancePaths(paths: ComputePaths, instance: ComputeInstance, secrets?: string): InstancePaths {
  return {
    data: join(paths.data, instance.app, `${instance.zone}.${instance.index}`),
    ...(instance.run ? {} : { www: join(paths.www, instance.service) }),
    ...(secrets ? { secrets } : {}),
  };
}

/** The secrets directory of an instance if it exists (materialised by the secrets layer's call at up). */
export async function existingSecretsDir(stateDir: string, address: string): Promise<string | undefined> {
  const dir = instanceSecretsDir(stateDir, address);
  return access(dir, constants.F_OK).then(() => dir, () => undefined);
}

async function writeAtomic(path: string, content: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.tmp`;
  await writeFile(temporary, content, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
}

async function readOr(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Prepares an instance's data directory and document root, then its service directory; true if it changed. */
async function materialise(paths: ComputePaths, layout: HostLayout, instance: ComputeInstance, secrets?: string): Promise<'created' | 'changed' | 'same'> {
  const own = instancePaths(paths, instance, secrets);
  await mkdir(dirname(own.data), { recursive: true, mode: 0o711 });
  await mkdir(own.data, { recursive: true, mode: 0o700 });
  await chown(own.data, instance.uid, instance.uid);
  await chmod(own.data, 0o700);
  if (own.www) {
    await mkdir(own.www, { recursive: true, mode: 0o755 });
    for (const file of builtinDocumentRoot({ address: instance.address, app: instance.app }, instance.health?.http)) {
      const target = join(own.www, file.path);
      if ((await readOr(target)) !== file.content) await writeAtomic(target, file.content, 0o644);
    }
  }
  const files = serviceFiles(instance, own, layout);
  const live = join(paths.sv, instance.service);
  const exists = await access(join(live, 'run'), constants.F_OK).then(() => true, () => false);
  if (!exists) {
    // Staged then renamed whole: runsvdir may scan at any moment and must never see half a service.
    const staged = join(paths.staging, instance.service);
    await rm(staged, { recursive: true, force: true });
    for (const file of files) await writeAtomic(join(staged, file.path), file.content, file.mode);
    await mkdir(paths.sv, { recursive: true, mode: 0o700 });
    await rm(live, { recursive: true, force: true });
    await rename(staged, live);
    return 'created';
  }
  let changed = false;
  for (const file of files) {
    if ((await readOr(join(live, file.path))) !== file.content) {
      await writeAtomic(join(live, file.path), file.content, file.mode);
      changed = true;
    }
  }
  return changed ? 'changed' : 'same';
}

/** Stops services and removes what belongs to them (service directory, document root, data). */
async function removeInstances(paths: ComputePaths, stateDir: string, instances: ComputeInstance[]): Promise<void> {
  const inodes = new Set<number>();
  for (const instance of instances) {
    const inode = await netnsInode(instance.namespace);
    if (inode !== undefined) inodes.add(inode);
  }
  // Their runsv, log and sandbox by service directory; their workload by namespace and uid.
  await stopProcesses(instances.map((i) => join(paths.sv, i.service)), undefined, new Set(instances.map((i) => i.uid)), inodes);
  for (const instance of instances) {
    const own = instancePaths(paths, instance);
    await rm(join(paths.sv, instance.service), { recursive: true, force: true });
    if (own.www) await rm(own.www, { recursive: true, force: true });
    await rm(own.data, { recursive: true, force: true });
    await forgetInstanceSecrets(stateDir, instance.address);
  }
}

async function waitReady(paths: ComputePaths, instances: ComputeInstance[], routerOf: (zone: string) => string, log: (m: string) => void): Promise<{ healthy: string[]; crashLoop: string[]; pending: string[] }> {
  const timeout = readinessTimeoutMs(instances.length);
  const deadline = Date.now() + timeout;
  const healthy = new Set<string>();
  const crashLoop = new Set<string>();
  const watch = await watchHealth(instances, routerOf, timeout, (address) => healthy.add(address));
  let lastReport = Date.now();
  try {
    for (;;) {
      // runit's files (cheap reads) for crash loops; health comes from the watchers, or from a check round
      // for instances no watcher covers.
      const running: ComputeInstance[] = [];
      for (const instance of instances) {
        if (healthy.has(instance.address) || crashLoop.has(instance.address)) continue;
        const status = await serviceStatus(join(paths.sv, instance.service));
        if (status.crashLoop) crashLoop.add(instance.address);
        else if (status.state === 'run' && watch.unwatched.includes(instance)) running.push(instance);
      }
      for (const address of await checkHealthMany(running)) healthy.add(address);
      const done = [...healthy].filter((a) => !crashLoop.has(a)).length + crashLoop.size;
      if (done >= instances.length || Date.now() > deadline) break;
      if (Date.now() - lastReport > 2_000) {
        log(`compute: ${healthy.size}/${instances.length} healthy${crashLoop.size ? `, ${crashLoop.size} crash-looping` : ''}`);
        lastReport = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    watch.stop();
  }
  for (const address of crashLoop) healthy.delete(address);
  const pending = instances.filter((i) => !healthy.has(i.address) && !crashLoop.has(i.address)).map((i) => i.address);
  return { healthy: [...healthy].sort(), crashLoop: [...crashLoop].sort(), pending };
}

/** Raised by `up` when instances crash-loop or never become healthy; the others keep running. */
export class ComputeNotReadyError extends Error {
  constructor(
    readonly crashLoop: string[],
    readonly pending: string[],
  ) {
    const parts = [];
    if (crashLoop.length) parts.push(`crash-looping (stopped after repeated rapid exits; see archipel logs): ${crashLoop.join(', ')}`);
    if (pending.length) parts.push(`not healthy in time: ${pending.join(', ')}`);
    super(`compute: ${parts.join('; ')}`);
  }
}

async function desiredFor(ctx: LayerContext, previous: ComputeState | undefined): Promise<{ instances: ComputeInstance[]; uids: Record<string, number> }> {
  const names = localNames(ctx.compiled.estate);
  const uids = allocateUids(ctx.compiled.estate, appsOf(ctx.compiled), previous?.uids ?? {});
  return { uids, instances: desiredInstances(ctx.compiled, uids, (address) => names.instance(address)) };
}

export const computeLayer: Layer = {
  name: 'compute',

  async preconditions() {
    const problems: string[] = [];
    if (process.platform !== 'linux') return ['compute: needs Linux (network, mount and pid namespaces)'];
    if (process.getuid?.() !== 0) problems.push('compute: must run as root (it starts instances under their own uids); run: sudo archipel up ...');
    const missing = new Set<string>();
    for (const program of REQUIRED_PROGRAMS) {
      const ok = await access(program.path, constants.X_OK).then(() => true, () => false);
      if (!ok) missing.add(program.pkg);
    }
    if (missing.size) problems.push(`compute: missing ${[...missing].sort().join(', ')}; run: apt-get install -y ${[...missing].sort().join(' ')}`);
    return problems;
  },

  async plan(ctx) {
    const previous = await readComputeState(ctx.stateDir);
    const { instances } = await desiredFor(ctx, previous);
    return planInstances(previous?.instances ?? [], instances);
  },

  async up(ctx) {
    const started = Date.now();
    const paths = computePaths(ctx.stateDir);
    const previous = await readComputeState(ctx.stateDir);
    const { instances, uids } = await desiredFor(ctx, previous);
    const missingNs = [];
    for (const instance of instances) if ((await netnsInode(instance.namespace)) === undefined) missingNs.push(instance.address);
    if (missingNs.length) throw new Error(`compute: the network layer is not up for ${missingNs.length} instance(s), e.g. ${missingNs[0]} (namespace missing)`);
    const wanted = new Set(instances.map((i) => i.address));
    const removed = (previous?.instances ?? []).filter((i) => !wanted.has(i.address));
    // Write-ahead: everything that may exist after this call (old and new) is recorded first.
    const union = [...instances, ...removed];
    await writeComputeState(ctx.stateDir, { format: 1, estate: ctx.compiled.estate, uids: { ...previous?.uids, ...uids }, instances: union, ...(previous?.runsvdirPid ? { runsvdirPid: previous.runsvdirPid } : {}) });
    await mkdir(paths.root, { recursive: true, mode: 0o700 });
    await mkdir(paths.sv, { recursive: true, mode: 0o700 });
    if (removed.length) {
      ctx.log(`compute: removing ${removed.length} instance(s) no longer declared`);
      await removeInstances(paths, ctx.stateDir, removed);
    }
    const layout = await hostLayout();
    const changed: ComputeInstance[] = [];
    let created = 0;
    // Secrets an instance needs (database credentials...) are written for its uid by the secrets layer's
    // call, then bind-mounted read-only; never in its argv or environment.
    const needs = (await hasSecretStore(ctx.stateDir)) ? secretsByInstance(ctx.compiled) : {};
    await runAll(instances, 16, async (instance) => {
      const secrets = needs[instance.address]?.length ? await materialiseInstanceSecrets(ctx.compiled, ctx.stateDir, instance.address, instance.uid) : undefined;
      const result = await materialise(paths, layout, instance, secrets);
      if (result === 'changed') changed.push(instance);
      if (result === 'created') created++;
    });
    await rm(paths.staging, { recursive: true, force: true });
    ctx.log(`compute: service directories written (${((Date.now() - started) / 1000).toFixed(2)} s)`);
    // Unprivileged ports start at 1024; an instance declared on a lower one (ldap 389, smtp 25) may bind
    // it in its own namespace, and only there: the sysctl is per network namespace.
    await runAll(instances.filter((i) => i.port < 1024), 8, async (instance) => {
      await run(['/usr/bin/nsenter', `--net=/run/netns/${instance.namespace}`, '--', '/usr/bin/busybox', 'sysctl', '-w', `net.ipv4.ip_unprivileged_port_start=${instance.port}`], { timeoutMs: 10_000 });
    });
    // A crash-looping instance gets a fresh start on each `up` (the operator may have fixed its cause).
    const retried: string[] = [];
    for (const instance of instances) {
      const dir = join(paths.sv, instance.service);
      const status = await serviceStatus(dir);
      if (status.crashLoop) {
        await rm(join(dir, 'crash-loop'), { force: true });
        await rm(join(dir, 'exits'), { force: true });
        retried.push(dir);
      }
    }
    await sv(['up'], retried);
    await sv(['term'], changed.map((i) => join(paths.sv, i.service)));
    // The supervisor itself died (killed, OOM) while its runsv kept their instances alive: a new runsvdir
    // would retry runsv on every service whose lock the orphan still holds, a process per service every few
    // seconds, forever. Hand them over instead: stop each orphan's whole group, the new runsvdir restarts it.
    if ((await findRunsvdirs(paths.sv)).length === 0) {
      const orphans = instances.map((i) => join(paths.sv, i.service));
      const inodes = new Set<number>();
      for (const instance of instances) {
        const inode = await netnsInode(instance.namespace);
        if (inode !== undefined) inodes.add(inode);
      }
      const stopped = await stopProcesses(orphans, undefined, new Set(instances.map((i) => i.uid)), inodes);
      if (stopped) ctx.log(`compute: the supervisor had died; ${stopped} orphaned service(s) restarted under the new one`);
    }
    const supervisor = await startOrAdoptRunsvdir(paths.sv, paths.pidFile);
    await writeComputeState(ctx.stateDir, { format: 1, estate: ctx.compiled.estate, uids: { ...previous?.uids, ...uids }, instances, runsvdirPid: supervisor.pid });
    ctx.log(`compute: runsvdir ${supervisor.adopted ? 'adopted' : 'started'} (pid ${supervisor.pid}); ${created} created, ${changed.length} restarted, ${removed.length} removed, ${instances.length - created - changed.length} kept`);
    const names = localNames(ctx.compiled.estate);
    const ready = await waitReady(paths, instances, (zone) => names.router(zone), ctx.log);
    ctx.log(`compute: ${ready.healthy.length}/${instances.length} healthy in ${((Date.now() - started) / 1000).toFixed(2)} s`);
    if (ready.crashLoop.length || ready.pending.length) throw new ComputeNotReadyError(ready.crashLoop, ready.pending);
  },

  async down(ctx) {
    const started = Date.now();
    const paths = computePaths(ctx.stateDir);
    const state = await readComputeState(ctx.stateDir);
    const instances = state?.instances ?? [];
    // runsvdir first (it would start runsv again), then every runsv's session: runsvdir -P makes each runsv
    // a session and process-group leader, and its log, run chain and instance stay in that group. TERM lets
    // instances stop cleanly; what remains after a short grace is killed.
    killPids(await findRunsvdirs(paths.sv), 'SIGKILL');
    const uids = new Set(Object.values(state?.uids ?? {}));
    const inodes = new Set<number>();
    for (const instance of instances) {
      const inode = await netnsInode(instance.namespace);
      if (inode !== undefined) inodes.add(inode);
    }
    const groups = await stopProcesses([paths.root], paths.sv, uids, inodes);
    ctx.log(`compute: ${groups} supervised group(s) stopped (${((Date.now() - started) / 1000).toFixed(2)} s)`);
    await rm(paths.root, { recursive: true, force: true });
    await removeComputeState(ctx.stateDir);
    ctx.log(`compute: down, ${instances.length} instance(s) stopped (${((Date.now() - started) / 1000).toFixed(2)} s)`);
  },
};
