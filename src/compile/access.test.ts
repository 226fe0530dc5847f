import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveEstate } from '../model/resolve.ts';
import { compileAccess, compileObjectives } from './access.ts';
import { minimalSpec } from './testing.ts';

test('access plan: groups and users sorted, mfa, issuer', () => {
  const spec = minimalSpec();
  spec.access = { groups: { ops: ['zoe', 'adam'] }, users: { zoe: { mfa: true } }, issuer: 'https://id.example/realm' };
  assert.deepEqual(compileAccess(resolveEstate(spec)), {
    groups: [{ name: 'ops', users: ['adam', 'zoe'] }],
    users: [{ name: 'adam', mfa: false }, { name: 'zoe', mfa: true }],
    issuer: 'https://id.example/realm',
  });
});

test('objectives per application in seconds', () => {
  const spec = minimalSpec();
  spec.applications.web!.tier = 'critical';
  assert.deepEqual(compileObjectives(resolveEstate(spec)), [
    { app: 'app/api', tier: 'important', rtoSeconds: 3600, rpoSeconds: 900 },
    { app: 'app/web', tier: 'critical', rtoSeconds: 300, rpoSeconds: 0 },
    { app: 'app/worker', tier: 'standard', rtoSeconds: 14400, rpoSeconds: 86400 },
  ]);
});
