/**
 * Data services topology: for each database and cache, the primary zone (the estate's first zone), one
 * member per zone on the service's own network (primary first), the quorum voters (one per zone plus the
 * witness: two zones alone cannot decide a failover safely), the client applications and the port.
 */
import type { DataServiceModel, Model } from '../model/model.ts';
import type { DataService, DataTopology, Instance } from './types.ts';

export function compileData(model: Model, instances: readonly Instance[]): DataTopology {
  const byOwner = new Map<string, Instance[]>();
  for (const instance of instances) {
    const list = byOwner.get(instance.owner) ?? [];
    list.push(instance);
    byOwner.set(instance.owner, list);
  }
  const primaryZone = model.zones[0]!;
  const service = (s: DataServiceModel): DataService => {
    const members = (byOwner.get(s.address) ?? [])
      .slice()
      .sort((a, b) => model.zones.indexOf(a.zone) - model.zones.indexOf(b.zone) || a.index - b.index)
      .map((i) => ({ instance: i.address, zone: i.zone, ip: i.ip, role: i.zone === primaryZone ? ('primary' as const) : ('replica' as const) }));
    return {
      address: s.address,
      engine: s.engine,
      synchronous: s.synchronous,
      primaryZone,
      members,
      voters: [
        ...model.zones.map((zone) => ({ location: `zone/${zone}`, zone })),
        ...(model.witness ? [{ location: `witness/${model.witness}` }] : []),
      ],
      clients: s.clients.map((c) => ({ ...c })),
      port: s.kind === 'db' ? 5432 : 6379,
    };
  };
  return { databases: model.databases.map(service), caches: model.caches.map(service) };
}
