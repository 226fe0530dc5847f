import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledEstate, Instance } from '../../../compile/types.ts';
import { estateSecretNames, instanceSecretsDir, secretsByInstance } from './plan.ts';

function instance(owner: string, zone: string, index: number): Instance {
  const kind = owner.split('/')[0] as Instance['ownerKind'];
  return { address: `${owner}/${zone}/${index}`, owner, ownerKind: kind, zone, index, network: `net/${owner}`, ip: '198.18.0.2', ports: [] };
}

/** Only the parts of a compiled estate the secret plan reads. */
const compiled = {
  instances: [
    instance('app/web', 'par-1', 0),
    instance('app/api', 'par-1', 0),
    instance('app/api', 'par-2', 0),
    instance('db/main', 'par-1', 0),
    instance('db/main', 'par-2', 0),
    instance('cache/sessions', 'par-1', 0),
  ],
  data: {
    databases: [{ address: 'db/main', clients: [{ app: 'app/api', database: 'api' }] }],
    caches: [{ address: 'cache/sessions', clients: [{ app: 'app/web' }] }],
  },
} as unknown as CompiledEstate;

test('each application gets only its own database credential; members get every client and replication', () => {
  assert.deepEqual(secretsByInstance(compiled), {
    'app/api/par-1/0': ['db.main.api.password'],
    'app/api/par-2/0': ['db.main.api.password'],
    'app/web/par-1/0': ['cache.sessions.password'],
    'cache/sessions/par-1/0': ['cache.sessions.password'],
    'db/main/par-1/0': ['db.main.api.password', 'db.main.replication.password'],
    'db/main/par-2/0': ['db.main.api.password', 'db.main.replication.password'],
  });
  assert.deepEqual(estateSecretNames(compiled), ['cache.sessions.password', 'db.main.api.password', 'db.main.replication.password']);
});

test('materialised directories are named from the instance address, which is validated', () => {
  assert.equal(instanceSecretsDir('/var/lib/archipel/x', 'app/api/par-1/0'), '/var/lib/archipel/x/instance-secrets/app.api.par-1.0');
  assert.throws(() => instanceSecretsDir('/s', 'app/../../etc/0'), /not an instance address/);
  assert.throws(() => instanceSecretsDir('/s', 'app/api'), /not an instance address/);
});
