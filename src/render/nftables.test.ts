import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderNftables, renderZoneRuleset, zoneFlows } from './nftables.ts';
import { regionEstate, smallEstate } from './testing-fixture.ts';
import { checkWith, unavailable } from './tool-check.ts';

test('a ruleset is an atomic replace of table inet archipel', () => {
  const text = renderZoneRuleset(smallEstate(), 'par-1');
  assert.deepEqual(text.split('\n').slice(0, 2), ['table inet archipel', 'delete table inet archipel']);
  assert.match(text, /^table inet archipel \{$/m);
  assert.ok(text.endsWith('}\n'));
});

test('flows are elements of one verdict map, not rules', () => {
  const text = renderZoneRuleset(smallEstate(), 'par-1');
  assert.match(text, /map flows \{\n\s+type ipv4_addr \. ipv4_addr \. inet_proto \. inet_service : verdict\n\s+flags interval\n/);
  assert.match(text, /^\s+198\.18\.0\.128\/26 \. 198\.18\.0\.0\/26 \. tcp \. 8080 : jump flow_declared,$/m);
  assert.match(text, /^\s+198\.18\.0\.128\/26 \. 198\.18\.0\.64\/26 \. udp \. 5353 : jump flow_declared,$/m);
  assert.match(text, /^\s+ip saddr \. ip daddr \. meta l4proto \. th dport vmap @flows$/m);
  // Exactly one rule in the forward chain mentions a port.
  const forward = text.slice(text.indexOf('chain forward'));
  assert.equal(forward.split('\n').filter((l) => l.includes('dport')).length, 1);
});

test('a flow declared twice (declared and data) becomes one element with the declared verdict', () => {
  const text = renderZoneRuleset(smallEstate(), 'par-1');
  const lines = text.split('\n').filter((l) => l.includes('198.18.0.0/26 . 198.18.1.128/26 . tcp . 5432'));
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /jump flow_declared,$/);
});

test('each flow kind jumps to a chain that counts it under its named counter', () => {
  const text = renderZoneRuleset(smallEstate(), 'par-1');
  for (const kind of ['declared', 'data', 'replication', 'quorum', 'edge', 'backup', 'denied']) {
    assert.match(text, new RegExp(`^\\s+counter ${kind} \\{$`, 'm'));
    assert.match(text, new RegExp(`counter name "${kind}"`));
  }
  assert.match(text, /jump flow_replication/);
  assert.match(text, /jump flow_quorum/);
  assert.match(text, /jump flow_edge/);
  assert.match(text, /jump flow_backup/);
  assert.match(text, /jump flow_data/);
});

test('a flow with both endpoints only in the other zone is left out; cross-zone flows are kept', () => {
  const estate = smallEstate();
  const par1 = zoneFlows(estate, 'par-1').map((f) => f.flow.address);
  const par2 = zoneFlows(estate, 'par-2').map((f) => f.flow.address);
  // edge/par-2 -> app/video: both endpoints only in par-2.
  assert.ok(!par1.includes('flow/edge/par-2->app/video:8080'));
  assert.ok(par2.includes('flow/edge/par-2->app/video:8080'));
  // edge/par-1 -> app/video (video lives in par-2 only): crosses par-1's router, then the backbone.
  assert.ok(par1.includes('flow/edge/par-1->app/video:8080'));
  assert.ok(par2.includes('flow/edge/par-1->app/video:8080'));
  // The witness is in no zone: its flows are kept where the other endpoint lives.
  assert.ok(par1.includes('flow/witness/par-3->db/main:2379'));
});

test('denied traffic is recorded in @denied, logged at a bounded rate and rejected as admin-prohibited', () => {
  const text = renderZoneRuleset(smallEstate(), 'par-2');
  assert.match(text, /set denied \{\n\s+type ipv4_addr \. ipv4_addr \. inet_proto \. inet_service\n\s+flags dynamic,timeout\n\s+timeout 1h\n\s+size 65536\n/);
  assert.match(text, /set observed \{\n\s+type ipv4_addr \. ipv4_addr \. inet_proto \. inet_service\n\s+flags dynamic,timeout\n/);
  const deny = text.slice(text.indexOf('chain deny {'), text.indexOf('\n  }', text.indexOf('chain deny {')));
  const order = ['update @denied { ip saddr . ip daddr . meta l4proto . th dport }', 'limit rate 10/second log prefix "archipel-deny "', 'reject with icmpx admin-prohibited'];
  const positions = order.map((s) => deny.indexOf(s));
  assert.ok(positions.every((p) => p >= 0), deny);
  assert.deepEqual([...positions].sort((a, b) => a - b), positions);
  assert.match(text, /type filter hook forward priority filter; policy drop;/);
  assert.match(text, /ct state established,related accept\n\s+ct state invalid drop/);
});

test('observed networks are accepted after being recorded, in every zone', () => {
  for (const zone of ['par-1', 'par-2']) {
    const text = renderZoneRuleset(smallEstate(), zone);
    // app/video (observe: true, par-2 only) is in both zones' observe set.
    assert.match(text, /set observe_networks \{\n\s+type ipv4_addr\n\s+flags interval\n\s+elements = \{\n\s+# net\/app\/video\n\s+198\.18\.0\.64\/26,\n/);
    assert.match(text, /update @observed \{ ip saddr \. ip daddr \. meta l4proto \. th dport \}\n\s+limit rate 10\/second log prefix "archipel-observe "\n\s+counter name "observed" accept/);
  }
});

test('no interface name is matched: the ruleset is target-agnostic', () => {
  const text = renderZoneRuleset(regionEstate(), 'par-1');
  assert.doesNotMatch(text, /\b(iif|oif|iifname|oifname)\b/);
});

test('the router accepts only replies and ICMP for itself', () => {
  const text = renderZoneRuleset(smallEstate(), 'par-1');
  const input = text.slice(text.indexOf('chain input {'));
  assert.match(input, /policy drop;\n\s+ct state established,related accept\n\s+ct state invalid drop\n\s+meta l4proto \{ icmp, ipv6-icmp \} accept\n\s+\}/);
});

test('an empty set has no elements line (nft refuses an empty element list)', () => {
  const estate = smallEstate();
  const text = renderZoneRuleset({ ...estate, networks: estate.networks.map((n) => ({ ...n, observe: false })) }, 'par-1');
  assert.match(text, /set observe_networks \{\n\s+type ipv4_addr\n\s+flags interval\n\s+\}/);
});

test('an invalid zone name or an unknown endpoint is a bug, not output', () => {
  assert.throws(() => renderZoneRuleset(smallEstate(), 'par 1; flush ruleset'), /invalid name/);
  const estate = smallEstate();
  const flows = [...estate.flows, { ...estate.flows[0]!, from: 'app/ghost' }];
  assert.throws(() => renderZoneRuleset({ ...estate, flows }, 'par-1'), /app\/ghost/);
});

test('one artefact per zone', () => {
  assert.deepEqual(renderNftables(smallEstate()).map((a) => a.path), ['nftables/par-1.nft', 'nftables/par-2.nft']);
});

test('nft -c accepts the small and the region-sized rulesets', async (t) => {
  const why = await unavailable('nft', true);
  if (why) return t.skip(why);
  for (const [name, estate] of [['small', smallEstate()], ['region', regionEstate()]] as const) {
    for (const artefact of renderNftables(estate)) {
      await assert.doesNotReject(checkWith('nft', ['-c', '-f'], `${name}.nft`, artefact.content), `${name} ${artefact.path}`);
    }
  }
});
