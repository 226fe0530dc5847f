import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossingFlows, placeFirewalls } from './firewalls.ts';
import type { CompiledFlow, PrivateNetwork } from './types.ts';
import { resolveEstate } from '../model/resolve.ts';
import { compileEstate } from './index.ts';
import { syntheticEstate } from './testing.ts';

const net = (name: string, zones = ['par-1', 'par-2']): PrivateNetwork => ({
  address: `net/app/${name}`,
  owner: `app/${name}`,
  ownerKind: 'app',
  cidr: '198.18.8.0/26',
  zones: zones.map((zone) => ({ zone, cidr: '198.18.8.0/27', gateway: '198.18.8.1' })),
  observe: false,
});
const flow = (a: string, b: string): CompiledFlow => ({
  address: `flow/app/${a}->app/${b}:8080`, from: `app/${a}`, to: `app/${b}`, port: 8080, protocol: 'tcp', kind: 'declared', reason: 'test',
});
const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const chain = (list: string[]) => list.slice(1).map((b, i) => flow(list[i]!, b));

test('the minimum number of appliances per zone, each an HA pair, with cost', () => {
  const networks = names('a', 45).map((n) => net(n));
  const plan = placeFirewalls(['par-1', 'par-2'], networks, [], 20, 7500);
  assert.deepEqual(plan.zones.map((z) => z.appliances.map((a) => a.networks.length)), [[20, 20, 5], [20, 20, 5]]);
  assert.equal(plan.units, 12);
  assert.equal(plan.totalCost, 90000);
  assert.equal(plan.zones[0]!.appliances[1]!.address, 'firewall/par-1/1');
  const at8 = placeFirewalls(['par-1', 'par-2'], networks, [], 8);
  assert.equal(at8.units, 2 * 2 * 6);
  assert.equal(at8.totalCost, undefined);
});

test('affinity: networks that talk stay on one appliance, so no flow crosses', () => {
  // Two groups of 10 interleaved in address order: a plain sorted fill would split both.
  const groupA = names('x', 10).map((n) => `${n}a`);
  const groupB = names('x', 10).map((n) => `${n}b`);
  const networks = [...groupA, ...groupB].map((n) => net(n));
  const flows = [...chain(groupA), ...chain(groupB)];
  const plan = placeFirewalls(['par-1', 'par-2'], networks, flows, 10);
  assert.equal(plan.zones[0]!.appliances.length, 2);
  for (const appliance of plan.zones[0]!.appliances) {
    const suffixes = new Set(appliance.networks.map((n) => n.slice(-1)));
    assert.equal(suffixes.size, 1, `appliance ${appliance.address} holds one group`);
  }
  assert.equal(crossingFlows(plan, flows), 0);
});

test('a component larger than an appliance is split, and the crossings are counted', () => {
  const group = names('c', 15);
  const networks = group.map((n) => net(n));
  const flows = chain(group);
  const plan = placeFirewalls(['par-1', 'par-2'], networks, flows, 10);
  assert.deepEqual(plan.zones[0]!.appliances.map((a) => a.networks.length), [10, 5]);
  // A chain cut once in breadth-first order crosses once.
  assert.equal(crossingFlows(plan, flows), 1);
});

test('a network only in some zones is placed only there', () => {
  const plan = placeFirewalls(['par-1', 'par-2'], [net('a'), net('b', ['par-2'])], [], 20);
  assert.deepEqual(plan.zones.map((z) => z.appliances.map((a) => a.networks)), [[['net/app/a']], [['net/app/a', 'net/app/b']]]);
});

test('no network: no appliance', () => {
  const plan = placeFirewalls(['par-1', 'par-2'], [], [], 20, 100);
  assert.equal(plan.units, 0);
  assert.deepEqual(plan.zones, [{ zone: 'par-1', appliances: [] }, { zone: 'par-2', appliances: [] }]);
});

test('on a region-like estate, affinity crosses fewer flows than a sorted fill, never over the limit', () => {
  const estate = compileEstate(resolveEstate(syntheticEstate(154))).estate!;
  for (const limit of [8, 20]) {
    const zones = estate.zones.map((z) => z.name);
    const affinity = placeFirewalls(zones, estate.networks, estate.flows, limit);
    const sorted = placeFirewalls(zones, estate.networks, [], limit);
    assert.equal(affinity.units, sorted.units, 'affinity never costs an appliance');
    for (const z of affinity.zones) for (const a of z.appliances) assert.ok(a.networks.length <= limit);
    const placed = affinity.zones[0]!.appliances.flatMap((a) => a.networks).sort();
    assert.deepEqual(placed, estate.networks.map((n) => n.address).sort(), 'every network exactly once');
    assert.ok(crossingFlows(affinity, estate.flows) < crossingFlows(sorted, estate.flows), `limit ${limit}`);
  }
});

test('zones share one layout when it stays minimal: two networks share an appliance in every zone or in none', () => {
  const spec = syntheticEstate(100);
  spec.applications['app-0003']!.zones = ['par-1'];
  const estate = compileEstate(resolveEstate(spec)).estate!;
  const plan = placeFirewalls(['par-1', 'par-2'], estate.networks, estate.flows, 20);
  const where = plan.zones.map((z) => new Map(z.appliances.flatMap((a) => a.networks.map((n) => [n, a.index] as const))));
  const both = estate.networks.map((n) => n.address).filter((n) => where.every((m) => m.has(n)));
  for (const a of both) {
    for (const b of both) {
      assert.equal(where[0]!.get(a) === where[0]!.get(b), where[1]!.get(a) === where[1]!.get(b), `${a} and ${b}`);
    }
  }
  assert.equal(plan.zones[1]!.appliances.flatMap((a) => a.networks).length, estate.networks.length - 1);
});

test('a zone holding fewer networks still gets the minimum number of appliances', () => {
  const networks = [...names('a', 30).map((n) => net(n, ['par-1'])), ...names('b', 15).map((n) => net(n))];
  const flows = [...chain(names('a', 30)), ...chain(names('b', 15)), flow('a0', 'b0')];
  const plan = placeFirewalls(['par-1', 'par-2'], networks, flows, 20);
  assert.deepEqual(plan.zones.map((z) => z.appliances.length), [3, 1]);
  assert.deepEqual(plan.zones[1]!.appliances[0]!.networks, names('b', 15).map((n) => `net/app/${n}`));
  assert.equal(plan.units, 8);
});
