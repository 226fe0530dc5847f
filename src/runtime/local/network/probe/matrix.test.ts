import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledEstate } from '../../../../compile/types.ts';
import { compare, ownerOfIp, undeclaredListeners, type Attempt, type Endpoint } from './matrix.ts';

const compiled = {
  networks: [
    { address: 'net/app/web', owner: 'app/web', ownerKind: 'app', cidr: '198.18.1.0/26', zones: [], observe: false },
    { address: 'net/app/api', owner: 'app/api', ownerKind: 'app', cidr: '198.18.2.0/26', zones: [], observe: false },
  ],
  infrastructure: [{ address: 'edge/par-1', zone: 'par-1', cidr: '198.18.0.64/26' }],
  flows: [{ address: 'flow/app/web->app/api:8080', from: 'app/web', to: 'app/api', port: 8080, protocol: 'tcp', kind: 'declared', reason: '' }],
  instances: [],
} as unknown as CompiledEstate;

const ep = (address: string, owner: string, ip: string): Endpoint => ({ namespace: address.replace(/\W/g, ''), address, owner, role: 'instance', ip });
const web = ep('app/web/par-1/0', 'app/web', '198.18.1.2');
const api = ep('app/api/par-1/0', 'app/api', '198.18.2.2');
const api2 = ep('app/api/par-2/0', 'app/api', '198.18.2.34');
const at = (source: Endpoint, target: Endpoint, port: number): Attempt => ({ source, target, port, protocol: 'tcp', via: 'listener' });

test('owners by address range: networks, then infrastructure blocks', () => {
  assert.equal(ownerOfIp(compiled, '198.18.2.40'), 'app/api');
  assert.equal(ownerOfIp(compiled, '198.18.0.66'), 'edge/par-1');
  assert.equal(ownerOfIp(compiled, '10.0.0.1'), undefined);
});

test('the declared matrix observed exactly: no difference', () => {
  const r = compare(compiled, [at(web, api, 8080), at(web, api, 9999), at(api2, api, 9999)], ['open', 'filtered', 'open']);
  assert.deepEqual(r.differences, []);
  assert.equal(r.summary.declared, 2);
  assert.equal(r.summary.open, 2);
});

test('an undeclared path reached and a declared path filtered are both differences', () => {
  const r = compare(compiled, [at(web, api, 9999), at(web, api, 8080), at(api, web, 8080)], ['closed', 'silent', 'filtered']);
  assert.deepEqual(
    r.differences.map((d) => `${d.kind} ${d.source}->${d.target}:${d.port} ${d.observed}`),
    ['unexpected-closed app/web/par-1/0->app/api/par-1/0:8080 silent', 'unexpected-open app/web/par-1/0->app/api/par-1/0:9999 closed'],
  );
});

test('an undeclared path into a network in observe mode is counted as observed, not as a difference', () => {
  const observing = { ...compiled, networks: compiled.networks.map((n) => (n.owner === 'app/api' ? { ...n, observe: true } : n)) } as CompiledEstate;
  const r = compare(observing, [at(web, api, 9999)], ['open']);
  assert.deepEqual(r.differences, []);
  assert.equal(r.summary.observed, 1);
});

test('undeclared listeners: ports an instance listens on that its estate does not declare, canaries aside', () => {
  const estate = {
    instances: [
      { address: 'app/api/par-1/0', ports: [{ port: 8080, protocol: 'tcp', name: 'main' }] },
      { address: 'app/web/par-1/0', ports: [{ port: 8080, protocol: 'tcp', name: 'main' }] },
    ],
  } as unknown as CompiledEstate;
  const found = undeclaredListeners(estate, {
    'app/api/par-1/0': ['8080/tcp', '9999/tcp', '39917/tcp', '39917/udp'],
    'app/web/par-1/0': ['8080/tcp', '8080/udp'],
    'edge/par-1': ['80/tcp'],
  });
  assert.deepEqual(found, [
    { instance: 'app/api/par-1/0', port: '9999/tcp' },
    { instance: 'app/web/par-1/0', port: '8080/udp' },
  ]);
});
