/**
 * Which secrets an estate has and which instance needs which (pure: derived from the compiled estate).
 *
 * Names: `db.CLUSTER.APP.password` (one credential per application and database cluster, so a leaked
 * application loses only its own access), `db.CLUSTER.replication.password` (members of the cluster),
 * `cache.NAME.password` (the cache's clients and members). CA and signing keys will join here.
 */
import { join } from 'node:path';
import type { CompiledEstate } from '../../../compile/types.ts';

/** Secret names of one estate, sorted. */
export function estateSecretNames(compiled: CompiledEstate): string[] {
  return [...new Set(Object.values(secretsByInstance(compiled)).flat())].sort();
}

/** For every instance address, the sorted names of the secrets it needs (possibly none). */
export function secretsByInstance(compiled: CompiledEstate): Record<string, string[]> {
  const needs = new Map<string, Set<string>>();
  const add = (owner: string, name: string) => {
    for (const instance of compiled.instances) {
      if (instance.owner !== owner) continue;
      const set = needs.get(instance.address) ?? new Set<string>();
      set.add(name);
      needs.set(instance.address, set);
    }
  };
  for (const db of compiled.data.databases) {
    const cluster = db.address.slice('db/'.length);
    for (const client of db.clients) {
      const name = `db.${cluster}.${client.app.slice('app/'.length)}.password`;
      add(client.app, name);
      // The members hold every client's credential: the server checks them.
      add(db.address, name);
    }
    add(db.address, `db.${cluster}.replication.password`);
  }
  for (const cache of compiled.data.caches) {
    const name = `cache.${cache.address.slice('cache/'.length)}.password`;
    for (const client of cache.clients) add(client.app, name);
    add(cache.address, name);
  }
  const result: Record<string, string[]> = {};
  for (const instance of [...compiled.instances].sort((a, b) => a.address.localeCompare(b.address))) {
    result[instance.address] = [...(needs.get(instance.address) ?? [])].sort();
  }
  return result;
}

const INSTANCE_ADDRESS = /^(app|db|cache|bucket)\/[a-z][a-z0-9-]{0,62}\/[a-z][a-z0-9-]{0,62}\/[0-9]{1,4}$/;

/**
 * Where an instance's secrets are materialised on the host: `<stateDir>/instance-secrets/<kind.name.zone.index>`.
 * The state dir is 0700, so the instance reaches it only through the read-only bind mount its sandbox gets
 * (the compute layer binds it at /run/secrets).
 */
export function instanceSecretsDir(stateDir: string, instanceAddress: string): string {
  if (!INSTANCE_ADDRESS.test(instanceAddress)) throw new Error(`not an instance address: ${JSON.stringify(instanceAddress)}`);
  return join(stateDir, 'instance-secrets', instanceAddress.replaceAll('/', '.'));
}
