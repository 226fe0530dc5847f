/**
 * Edge frontends: one per exposed application, load-balancing over all its instances in all zones, with the
 * access policy the edge enforces (public, or identity by group and user, device, MFA, source networks,
 * rate limit).
 */
import type { Model } from '../model/model.ts';
import { compareAddresses } from '../model/address.ts';
import { healthOf } from './addresses.ts';
import type { Frontend, Instance } from './types.ts';

/** Frontends sorted by address (frontend/HOST). */
export function compileFrontends(model: Model, instances: readonly Instance[]): Frontend[] {
  const byOwner = new Map<string, Instance[]>();
  for (const instance of instances) {
    const list = byOwner.get(instance.owner) ?? [];
    list.push(instance);
    byOwner.set(instance.owner, list);
  }
  const frontends: Frontend[] = [];
  for (const app of model.applications) {
    if (!app.expose) continue;
    const e = app.expose;
    frontends.push({
      address: `frontend/${e.host}`,
      host: e.host,
      app: app.address,
      port: app.port,
      backends: (byOwner.get(app.address) ?? []).map((i) => ({ instance: i.address, zone: i.zone, ip: i.ip, port: app.port })),
      // An exposed application without a declared check is checked by a TCP connect on its port.
      health: app.health ? healthOf(app.health) : { tcp: true, intervalMs: 1000 },
      policy: {
        public: e.public,
        groups: [...e.groups],
        users: [...e.users],
        device: e.device,
        mfa: e.mfa,
        sources: [...e.sources],
        ...(e.rateLimit ? { rateLimit: { ...e.rateLimit } } : {}),
      },
    });
  }
  return frontends.sort((a, b) => compareAddresses(a.address, b.address));
}
