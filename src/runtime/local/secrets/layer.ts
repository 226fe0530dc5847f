/**
 * The secrets layer of the local target and the call the compute layer makes per instance.
 *
 * `secretsLayer.up` generates the estate's missing secrets (first `up`; later ups keep existing values);
 * `materialiseInstanceSecrets` writes one instance's secrets for its uid and returns the directory that the
 * compute layer bind-mounts read-only into the instance's sandbox; `secretsLayer.down` removes every
 * materialised directory (the encrypted store goes with the state directory).
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompiledEstate } from '../../../compile/types.ts';
import type { Layer, LayerContext, PlannedAction } from '../layer.ts';
import { estateSecretNames, instanceSecretsDir, secretsByInstance } from './plan.ts';
import { SecretStore } from './store.ts';

/** True when the estate has a secret store (created by its first `up`). */
export async function hasSecretStore(stateDir: string): Promise<boolean> {
  return access(join(stateDir, 'secrets', 'master.key')).then(
    () => true,
    () => false,
  );
}

/** Generates the estate's missing secrets; returns the names created now. */
export async function provisionSecrets(compiled: CompiledEstate, stateDir: string): Promise<string[]> {
  const store = await SecretStore.open(stateDir);
  const before = new Set((await store.list()).map((s) => s.name));
  const wanted = estateSecretNames(compiled);
  await store.ensure(wanted);
  return wanted.filter((name) => !before.has(name));
}

/**
 * Writes the secrets one instance needs (possibly none) as files owned by `uid` (0400) and returns the
 * host directory to bind-mount read-only in its sandbox (e.g. at /run/secrets).
 */
export async function materialiseInstanceSecrets(
  compiled: CompiledEstate,
  stateDir: string,
  instance: string,
  uid: number,
  gid: number = uid,
): Promise<string> {
  const names = secretsByInstance(compiled)[instance];
  if (!names) throw new Error(`unknown instance ${instance}`);
  const store = await SecretStore.open(stateDir);
  await store.ensure(names);
  const dir = instanceSecretsDir(stateDir, instance);
  await store.materialise({ uid, gid, dir, names });
  return dir;
}

/** Removes the materialised secrets of an instance that no longer exists. */
export async function forgetInstanceSecrets(stateDir: string, instance: string): Promise<void> {
  if (!(await hasSecretStore(stateDir))) return;
  await (await SecretStore.open(stateDir)).unmaterialise(instanceSecretsDir(stateDir, instance));
}

export const secretsLayer: Layer = {
  name: 'secrets',
  preconditions: async () => [],
  plan: async (ctx: LayerContext): Promise<PlannedAction[]> => {
    const existing = (await hasSecretStore(ctx.stateDir)) ? new Set((await (await SecretStore.open(ctx.stateDir)).list()).map((s) => s.name)) : new Set<string>();
    return estateSecretNames(ctx.compiled).map((name) =>
      existing.has(name)
        ? { address: `secret/${name}`, action: 'keep', reason: 'already generated (rotate with `archipel secrets rotate`)' }
        : { address: `secret/${name}`, action: 'create', reason: 'generated at first up, encrypted at rest' },
    );
  },
  up: async (ctx) => {
    const created = await provisionSecrets(ctx.compiled, ctx.stateDir);
    ctx.log(`secrets: ${created.length} generated, ${estateSecretNames(ctx.compiled).length - created.length} kept`);
  },
  down: async (ctx) => {
    if (!(await hasSecretStore(ctx.stateDir))) return;
    const store = await SecretStore.open(ctx.stateDir);
    for (const m of await store.materialisations()) await store.unmaterialise(m.dir);
  },
};
