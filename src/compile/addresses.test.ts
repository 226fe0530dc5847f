import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveEstate } from '../model/resolve.ts';
import type { EstateSpec } from '../spec/schema.ts';
import { parseCidr, placeNetworks, planAddresses, poolBlocks, RESERVED_INFRA_BLOCKS, startSlot } from './addresses.ts';
import { minimalSpec, seeded, syntheticEstate } from './testing.ts';

const inPrefix = (ip: string, cidr: string): boolean => {
  const p = parseCidr(cidr);
  const v = parseCidr(`${ip}/32`).base;
  return v >= p.base && v < p.base + 2 ** (32 - p.length);
};

test('infrastructure takes the first blocks: backbone, edges, witness, vault', () => {
  const plan = planAddresses(resolveEstate(minimalSpec()));
  assert.deepEqual(plan.diagnostics, []);
  assert.deepEqual(plan.infrastructure, [
    { address: 'backbone', cidr: '198.18.0.0/26' },
    { address: 'edge/par-1', zone: 'par-1', cidr: '198.18.0.64/26' },
    { address: 'edge/par-2', zone: 'par-2', cidr: '198.18.0.128/26' },
    { address: 'witness/par-3', cidr: '198.18.0.192/26' },
    { address: 'vault', cidr: '198.18.1.0/26' },
  ]);
});

test('each network gets its own block past the reserved ones, split in one part per zone', () => {
  const plan = planAddresses(resolveEstate(minimalSpec()));
  assert.deepEqual(plan.networks.map((n) => n.address), ['net/app/api', 'net/app/web', 'net/app/worker', 'net/db/main']);
  const firstFree = parseCidr('198.18.0.0/15').base + RESERVED_INFRA_BLOCKS * 64;
  const bases = new Set<number>();
  for (const n of plan.networks) {
    const p = parseCidr(n.cidr);
    assert.equal(p.length, 26);
    assert.ok(p.base >= firstFree, `${n.cidr} is past the reserved blocks`);
    assert.ok(inPrefix(n.cidr.split('/')[0]!, '198.18.0.0/15'));
    bases.add(p.base);
    assert.equal(n.zones.length, 2);
    assert.equal(n.zones[0]!.cidr, n.cidr.replace('/26', '/27'));
    assert.equal(parseCidr(n.zones[1]!.cidr).base, p.base + 32);
    assert.equal(parseCidr(`${n.zones[0]!.gateway}/32`).base, p.base + 1);
  }
  assert.equal(bases.size, plan.networks.length);
});

test('instances take the hosts after the gateway, in index order; db members one per zone', () => {
  const spec = minimalSpec();
  spec.applications.web!.instances = 3;
  const plan = planAddresses(resolveEstate(spec));
  const web = plan.networks.find((n) => n.address === 'net/app/web')!;
  const webInstances = plan.instances.filter((i) => i.owner === 'app/web');
  assert.deepEqual(webInstances.map((i) => i.address), ['app/web/par-1/0', 'app/web/par-1/1', 'app/web/par-1/2', 'app/web/par-2/0', 'app/web/par-2/1', 'app/web/par-2/2']);
  const gw = parseCidr(`${web.zones[1]!.gateway}/32`).base;
  assert.deepEqual(webInstances.filter((i) => i.zone === 'par-2').map((i) => parseCidr(`${i.ip}/32`).base - gw), [1, 2, 3]);
  for (const i of webInstances) assert.ok(inPrefix(i.ip, web.zones.find((z) => z.zone === i.zone)!.cidr));
  assert.deepEqual(webInstances[0]!.ports, [{ port: 8080, protocol: 'tcp', name: 'main' }]);
  assert.deepEqual(webInstances[0]!.health, { http: '/healthz', intervalMs: 1000 });
  const db = plan.instances.filter((i) => i.owner === 'db/main');
  assert.deepEqual(db.map((i) => [i.address, i.network, i.ports[0]!.port]), [
    ['db/main/par-1/0', 'net/db/main', 5432],
    ['db/main/par-2/0', 'net/db/main', 5432],
  ]);
  assert.equal(db[0]!.run, undefined);
});

test('three zones cut each block in four /28 parts', () => {
  const spec = minimalSpec();
  spec.zones = ['par-1', 'par-2', 'ams-1'];
  const plan = planAddresses(resolveEstate(spec));
  const net = plan.networks[0]!;
  assert.deepEqual(net.zones.map((z) => z.zone), ['par-1', 'par-2', 'ams-1']);
  assert.ok(net.zones.every((z) => z.cidr.endsWith('/28')));
  assert.equal(parseCidr(net.zones[2]!.cidr).base - parseCidr(net.cidr).base, 32);
  assert.deepEqual(plan.infrastructure.map((b) => b.address), ['backbone', 'edge/par-1', 'edge/par-2', 'edge/ams-1', 'witness/par-3', 'vault']);
});

test('buckets get a network with one S3 endpoint per zone', () => {
  const spec = minimalSpec();
  spec.buckets = { cameras: { expireAfter: '30d' } };
  const plan = planAddresses(resolveEstate(spec));
  assert.ok(plan.networks.some((n) => n.address === 'net/bucket/cameras'));
  assert.deepEqual(
    plan.instances.filter((i) => i.owner === 'bucket/cameras').map((i) => [i.address, i.ports]),
    [
      ['bucket/cameras/par-1/0', [{ port: 9000, protocol: 'tcp', name: 's3' }]],
      ['bucket/cameras/par-2/0', [{ port: 9000, protocol: 'tcp', name: 's3' }]],
    ],
  );
});

test('a pool too small is a diagnostic on addressPool, not an exception', () => {
  const spec: EstateSpec = { ...minimalSpec(), addressPool: '198.18.0.0/24' }; // 4 blocks of /26 < 8 + 4
  const plan = planAddresses(resolveEstate(spec));
  assert.equal(plan.diagnostics.length, 1);
  assert.equal(plan.diagnostics[0]!.code, 'E_POOL_TOO_SMALL');
  assert.deepEqual(plan.diagnostics[0]!.path, ['addressPool']);
  assert.match(plan.diagnostics[0]!.message, /holds 4 networks of \/26; the estate needs 12/);
  assert.deepEqual(plan.networks, []);
  assert.equal(poolBlocks('198.18.0.0/27', 26), 0);
  assert.equal(planAddresses(resolveEstate({ ...minimalSpec(), addressPool: '198.18.0.0/22' })).diagnostics.length, 0);
});

test('more instances than a zone part holds is a diagnostic on the instances', () => {
  const spec = minimalSpec();
  spec.zones = ['par-1', 'par-2', 'ams-1'];
  spec.applications.web!.instances = 14; // a /28 part holds 13
  const plan = planAddresses(resolveEstate(spec));
  assert.deepEqual(plan.diagnostics.map((d) => [d.code, d.path]), [['E_NETWORK_TOO_SMALL', ['applications', 'web', 'instances']]]);
});

test('placement: hashed start, linear probing on collision', () => {
  const free = 4;
  const a = 'net/app/a';
  const collide = ['b', 'c', 'd', 'e', 'f', 'g', 'h'].map((n) => `net/app/${n}`).find((n) => startSlot(n, free) === startSlot(a, free))!;
  const slots = placeNetworks([a, collide], free);
  assert.equal(slots.get(a), startSlot(a, free));
  assert.equal(slots.get(collide), (startSlot(a, free) + 1) % free);
});

test('stability: adding 200 applications one at a time to a 150-app estate moves almost no network', (t) => {
  const spec = syntheticEstate(150);
  const random = seeded(42);
  let previous = new Map(planAddresses(resolveEstate(spec)).networks.map((n) => [n.address, n.cidr]));
  const original = new Map(previous);
  let moved = 0;
  let compared = 0;
  for (let i = 0; i < 200; i++) {
    const name = `new-${Math.floor(random() * 1e9).toString(36)}-${i}`;
    spec.applications[name] = { port: 8080 };
    const next = new Map(planAddresses(resolveEstate(spec)).networks.map((n) => [n.address, n.cidr]));
    for (const [address, cidr] of previous) {
      compared++;
      if (next.get(address) !== cidr) moved++;
    }
    previous = next;
  }
  const movedSinceStart = [...original].filter(([address, cidr]) => previous.get(address) !== cidr).length;
  t.diagnostic(`stability: ${moved} network moves over 200 additions (${compared} network comparisons); ${movedSinceStart}/${original.size} original networks moved in all`);
  assert.ok(movedSinceStart <= original.size * 0.05, `${movedSinceStart} of ${original.size} original networks moved`);
  assert.ok(moved <= compared * 0.0005);
});

test('for every zone count and prefix: networks disjoint, inside the pool, instances inside their zone part', () => {
  for (const zones of [['a', 'b'], ['a', 'b', 'c'], ['a', 'b', 'c', 'd']]) {
    for (const networkPrefix of [20, 24, 26, 28]) {
      const spec = syntheticEstate(networkPrefix === 20 ? 12 : 40);
      spec.zones = zones;
      spec.networkPrefix = networkPrefix;
      for (const app of Object.values(spec.applications)) app.instances = 1;
      const plan = planAddresses(resolveEstate(spec));
      assert.deepEqual(plan.diagnostics, [], `${zones.length} zones /${networkPrefix}`);
      const pool = parseCidr('198.18.0.0/15');
      const ranges = [...plan.infrastructure.map((b) => b.cidr), ...plan.networks.map((n) => n.cidr)].map(parseCidr).sort((x, y) => x.base - y.base);
      for (let i = 0; i < ranges.length; i++) {
        const r = ranges[i]!;
        assert.ok(r.base >= pool.base && r.base + 2 ** (32 - r.length) <= pool.base + 2 ** 17);
        if (i > 0) assert.ok(ranges[i - 1]!.base + 2 ** (32 - ranges[i - 1]!.length) <= r.base, 'blocks do not overlap');
      }
      const byNetwork = new Map(plan.networks.map((n) => [n.address, n]));
      for (const i of plan.instances) {
        const part = byNetwork.get(i.network)!.zones.find((z) => z.zone === i.zone)!;
        assert.ok(inPrefix(i.ip, part.cidr), `${i.address} ${i.ip} in ${part.cidr}`);
        assert.notEqual(i.ip, part.gateway);
      }
      assert.equal(new Set(plan.instances.map((i) => i.ip)).size, plan.instances.length);
    }
  }
});
