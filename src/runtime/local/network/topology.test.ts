import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handCompiled } from '../../../../test/e2e/fixtures/network-hand.ts';
import { desiredTopology, routerBatch } from './topology.ts';

const compiled = handCompiled('unit', [{ name: 'web', flows: [{ to: 'api', port: 8080 }] }, { name: 'api', instances: 2 }]);

test('one namespace per router, instance, edge and the witness; every name unique', () => {
  const topology = desiredTopology(compiled);
  const roles = topology.namespaces.map((n) => n.role).sort();
  assert.deepEqual(roles, ['edge', 'edge', 'instance', 'instance', 'instance', 'instance', 'instance', 'instance', 'router', 'router', 'witness']);
  assert.equal(new Set(topology.namespaces.map((n) => n.name)).size, topology.namespaces.length);
  assert.ok(topology.namespaces.every((n) => n.name.startsWith(topology.names.prefix)));
  // One link per instance and edge, two witness links, one backbone.
  assert.equal(topology.links.length, 6 + 2 + 2 + 1);
});

test('instances get their planned ip and a default route via their zone gateway', () => {
  const topology = desiredTopology(compiled);
  const web = topology.namespaces.find((n) => n.address === 'app/web/par-2/0')!;
  const part = compiled.networks.find((n) => n.address === 'net/app/web')!.zones.find((z) => z.zone === 'par-2')!;
  assert.ok(web.batch.includes(`addr add ${web.ip}/27 dev eth0`));
  assert.ok(web.batch.includes(`route replace default via ${part.gateway} dev eth0`));
});

test('routers route the other zone over the backbone and the witness over their own link, never a default route', () => {
  const topology = desiredTopology(compiled);
  const [r1, r2] = topology.routers;
  const web2 = compiled.networks.find((n) => n.address === 'net/app/web')!.zones[1]!.cidr;
  assert.ok(r1!.routes.some((r) => r.cidr === web2 && r.dev === 'bb1'));
  assert.ok(r2!.routes.some((r) => r.dev === 'bb0'));
  for (const r of [r1!, r2!]) {
    assert.ok(r.routes.some((route) => route.dev === 'wt0' && route.cidr.endsWith('/32')));
    assert.ok(!r.routes.some((route) => route.cidr === 'default' || route.cidr === '0.0.0.0/0'));
  }
  const witness = topology.namespaces.find((n) => n.role === 'witness')!;
  const viaLinks = witness.batch.filter((l) => l.startsWith('route replace'));
  assert.equal(viaLinks.length, 2 * 3); // per zone: two network parts and the edge block
  assert.ok(viaLinks.every((l) => l.endsWith(`src ${witness.ip}`)));
});

test('the router batch adds only missing bridges and removes stale ones and stale routes', () => {
  const topology = desiredTopology(compiled);
  const r1 = topology.routers[0]!;
  const fresh = routerBatch(r1, { links: [], routes: [] });
  assert.equal(fresh.filter((l) => l.endsWith('type bridge')).length, 2);
  const existing = routerBatch(r1, {
    links: [...r1.bridges.map((b) => b.name), 'b0000000'],
    routes: [{ dst: '198.18.9.0/27', gateway: '198.19.255.50' }, { dst: r1.routes[0]!.cidr, gateway: r1.routes[0]!.via }],
  });
  assert.equal(existing.filter((l) => l.endsWith('type bridge')).length, 0);
  assert.ok(existing.includes('link del b0000000'));
  assert.deepEqual(existing.filter((l) => l.startsWith('route del')), ['route del 198.18.9.0/27 via 198.19.255.50']);
});

test('the topology is deterministic and refuses addresses outside 198.18.0.0/15', () => {
  const a = desiredTopology(compiled);
  const b = desiredTopology(handCompiled('unit', [{ name: 'api', instances: 2 }, { name: 'web', flows: [{ to: 'api', port: 8080 }] }]));
  assert.deepEqual(JSON.stringify(a.namespaces), JSON.stringify(b.namespaces));
  const bad = structuredClone(compiled);
  bad.instances[0]!.ip = '10.0.0.2';
  assert.throws(() => desiredTopology(bad), /outside 198.18.0.0\/15/);
});

test('rules are counted inside chains only, hooks and policies excluded', async () => {
  const { countChainRules } = await import('./layer.ts');
  const ruleset = ['table inet x', 'table inet x {', '  set s {', '    type ipv4_addr', '  }', '  chain forward {', '    type filter hook forward priority filter; policy drop;', '    # comment', '    ct state established,related accept', '    jump deny', '  }', '  chain deny {', '    reject', '  }', '}'].join('\n');
  assert.equal(countChainRules(ruleset), 3);
});

test('without a witness there is no witness namespace, link or route', () => {
  const topology = desiredTopology(handCompiled('unit', [{ name: 'web' }], { witness: false }));
  assert.equal(topology.namespaces.filter((n) => n.role === 'witness').length, 0);
  assert.equal(topology.links.filter((l) => l.kind === 'witness').length, 0);
  assert.ok(topology.routers.every((r) => r.routes.every((route) => route.dev !== 'wt0')));
});

test('a compiled estate without the backbone block is refused with the block named', () => {
  const broken = structuredClone(compiled);
  broken.infrastructure = broken.infrastructure.filter((b) => b.address !== 'backbone');
  assert.throws(() => desiredTopology(broken), /no infrastructure block "backbone"/);
});
