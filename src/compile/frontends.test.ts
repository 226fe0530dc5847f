import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveEstate } from '../model/resolve.ts';
import { planAddresses } from './addresses.ts';
import { compileFrontends } from './frontends.ts';
import { minimalSpec } from './testing.ts';

test('one frontend per exposed application, backends in every zone, public policy and rate limit', () => {
  const model = resolveEstate(minimalSpec());
  const frontends = compileFrontends(model, planAddresses(model).instances);
  assert.equal(frontends.length, 1);
  const web = frontends[0]!;
  assert.equal(web.address, 'frontend/web.minimal.example');
  assert.equal(web.app, 'app/web');
  assert.deepEqual(web.backends.map((b) => [b.instance, b.zone, b.port]), [['app/web/par-1/0', 'par-1', 8080], ['app/web/par-2/0', 'par-2', 8080]]);
  assert.deepEqual(web.health, { http: '/healthz', intervalMs: 1000 });
  assert.deepEqual(web.policy, { public: true, groups: [], users: [], device: 'any', mfa: false, sources: [], rateLimit: { requests: 100, perSeconds: 10 } });
});

test('identity policy: groups, users, managed device, mfa, sources; no health check -> tcp', () => {
  const spec = minimalSpec();
  spec.applications.api!.expose = {
    host: 'api.minimal.example',
    allow: ['user:zoe', 'group:ops'],
    device: 'managed',
    mfa: true,
    sources: ['198.51.100.0/24'],
  };
  delete spec.applications.api!.health;
  const model = resolveEstate(spec);
  const api = compileFrontends(model, planAddresses(model).instances).find((f) => f.app === 'app/api')!;
  assert.deepEqual(api.policy, { public: false, groups: ['ops'], users: ['zoe'], device: 'managed', mfa: true, sources: ['198.51.100.0/24'] });
  assert.deepEqual(api.health, { tcp: true, intervalMs: 1000 });
});

test('no exposed application: no frontend', () => {
  const spec = minimalSpec();
  delete spec.applications.web!.expose;
  const model = resolveEstate(spec);
  assert.deepEqual(compileFrontends(model, planAddresses(model).instances), []);
});
