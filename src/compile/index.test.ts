import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Estate } from '../spec/schema.ts';
import { resolveEstate } from '../model/resolve.ts';
import { compareAddresses } from '../model/address.ts';
import type { EstateSpec } from '../spec/schema.ts';
import { compileEstate } from './index.ts';
import { minimalSpec, seeded, syntheticEstate } from './testing.ts';

/** The same spec with every object's keys in a shuffled order (arrays keep their order: it is meaning). */
function shuffleKeys<T>(value: T, random: () => number): T {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, random)) as T;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v, random)])) as T;
  }
  return value;
}

test('the minimal example compiles without diagnostics', () => {
  const { estate, diagnostics } = compileEstate(resolveEstate(minimalSpec()));
  assert.deepEqual(diagnostics, []);
  assert.ok(estate);
  assert.equal(estate.format, 1);
  assert.equal(estate.estate, 'minimal');
  assert.equal(estate.pool, '198.18.0.0/15');
  assert.deepEqual(estate.zones, [{ name: 'par-1', index: 0, address: 'zone/par-1' }, { name: 'par-2', index: 1, address: 'zone/par-2' }]);
  assert.deepEqual(estate.witness, { name: 'par-3', address: 'witness/par-3' });
  assert.equal(estate.networks.length, 4);
  assert.equal(estate.instances.length, 8);
  assert.equal(estate.firewalls.units, 4);
  assert.equal(estate.firewalls.totalCost, 30000);
});

test('deterministic: compiling twice gives deep-equal, byte-identical output', () => {
  const spec = syntheticEstate(154);
  const a = compileEstate(resolveEstate(spec));
  const b = compileEstate(resolveEstate(structuredClone(spec)));
  assert.deepEqual(a, b);
  assert.equal(JSON.stringify(a), JSON.stringify(b));
});

test('shuffled key order in the estate gives byte-identical output', () => {
  const spec = syntheticEstate(60);
  const expected = JSON.stringify(compileEstate(resolveEstate(spec)));
  for (const seed of [1, 2, 3]) {
    const shuffled = shuffleKeys(spec, seeded(seed)) as EstateSpec;
    assert.equal(JSON.stringify(compileEstate(resolveEstate(shuffled))), expected);
  }
});

test('every array of the compiled estate is sorted by address', () => {
  const { estate } = compileEstate(resolveEstate(syntheticEstate(80)));
  assert.ok(estate);
  for (const list of [estate.networks, estate.instances, estate.flows, estate.frontends, estate.buckets, estate.backups.items, estate.data.databases]) {
    const addresses = list.map((x) => x.address);
    const resorted = [...addresses].sort(compareAddresses);
    assert.deepEqual(addresses, resorted);
    assert.equal(new Set(addresses).size, addresses.length);
  }
  const ips = estate.instances.map((i) => i.ip);
  assert.equal(new Set(ips).size, ips.length, 'no two instances share an address');
});

test('the firewall limit option overrides the estate', () => {
  const model = resolveEstate(syntheticEstate(154));
  const at20 = compileEstate(model).estate!;
  const at8 = compileEstate(model, { privateNetworksPerFirewall: 8 }).estate!;
  assert.equal(at20.firewalls.privateNetworksPerFirewall, 20);
  assert.equal(at8.firewalls.privateNetworksPerFirewall, 8);
  const networks = at20.networks.length;
  assert.equal(at20.firewalls.units, 2 * 2 * Math.ceil(networks / 20));
  assert.equal(at8.firewalls.units, 2 * 2 * Math.ceil(networks / 8));
});

test('errors stop the compile: no estate, the diagnostics', () => {
  const spec = minimalSpec();
  spec.addressPool = '198.18.0.0/25';
  const result = compileEstate(resolveEstate(spec));
  assert.equal(result.estate, undefined);
  assert.deepEqual(result.diagnostics.map((d) => d.code), ['E_POOL_TOO_SMALL']);
});

test('examples/minimal.yaml, read and checked by the schema, compiles without diagnostics', () => {
  const spec = Estate.parse(parse(readFileSync(new URL('../../examples/minimal.yaml', import.meta.url), 'utf8')));
  const { estate, diagnostics } = compileEstate(resolveEstate(spec));
  assert.deepEqual(diagnostics, []);
  assert.equal(estate?.estate, 'minimal');
});
