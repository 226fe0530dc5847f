import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledEstate, Instance } from '../../../compile/types.ts';
import { desiredInstances, planInstances } from './layer.ts';

function inst(app: string, zone: string, index: number, extra: Partial<Instance> = {}): Instance {
  return { address: `app/${app}/${zone}/${index}`, owner: `app/${app}`, ownerKind: 'app', zone, index, network: `net/app/${app}`, ip: '198.18.0.9', ports: [{ port: 8080, protocol: 'tcp', name: 'main' }], ...extra };
}

const compiled = {
  estate: 'x',
  instances: [
    inst('web', 'par-2', 0, { health: { http: '/healthz', intervalMs: 1000 } }),
    inst('web', 'par-1', 0),
    { ...inst('main', 'par-1', 0), address: 'db/main/par-1/0', owner: 'db/main', ownerKind: 'db' },
    inst('job', 'par-1', 0, { run: ['/opt/job'] }),
  ],
} as unknown as CompiledEstate;

test('desired instances: applications only, sorted, with uid, namespace, main port, health and command', () => {
  const desired = desiredInstances(compiled, { web: 200001, job: 200002 }, (a) => `ns-${a.length}`);
  assert.deepEqual(desired.map((d) => d.address), ['app/job/par-1/0', 'app/web/par-1/0', 'app/web/par-2/0']);
  assert.deepEqual(desired[2], { address: 'app/web/par-2/0', app: 'web', zone: 'par-2', index: 0, service: 'web.par-2.0', namespace: 'ns-15', ip: '198.18.0.9', port: 8080, uid: 200001, health: { http: '/healthz' } });
  assert.deepEqual(desired[0]!.run, ['/opt/job']);
  assert.throws(() => desiredInstances(compiled, { web: 1 }, () => 'n'), /no uid allocated for app\/job/);
});

test('plan: create, keep, update and delete by address', () => {
  const desired = desiredInstances(compiled, { web: 200001, job: 200002 }, () => 'n');
  const recorded = [{ ...desired[1]!, port: 9999 }, desired[2]!, { ...desired[2]!, address: 'app/old/par-1/0' }];
  assert.deepEqual(planInstances(recorded, desired).map((a) => `${a.action} ${a.address}`), [
    'create app/job/par-1/0',
    'delete app/old/par-1/0',
    'update app/web/par-1/0',
    'keep app/web/par-2/0',
  ]);
});
