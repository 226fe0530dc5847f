/**
 * Access policy (groups, users, issuer) and each application's recovery objectives, in seconds.
 */
import type { Model } from '../model/model.ts';
import type { AccessPlan, AppObjectives } from './types.ts';

export function compileAccess(model: Model): AccessPlan {
  return {
    groups: model.access.groups.map((g) => ({ name: g.name, users: [...g.users] })),
    users: model.access.users.map((u) => ({ name: u.name, mfa: u.mfa })),
    ...(model.access.issuer !== undefined ? { issuer: model.access.issuer } : {}),
  };
}

export function compileObjectives(model: Model): AppObjectives[] {
  return model.applications.map((a) => ({ app: a.address, tier: a.tier, rtoSeconds: a.objectives.rtoSeconds, rpoSeconds: a.objectives.rpoSeconds }));
}
