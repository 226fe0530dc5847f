import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkState } from '../state.ts';
import { dropPlan, dropTable, type FaultRecord } from './faults.ts';

const state: NetworkState = {
  estate: 'x',
  namespaces: [
    { name: 'ap0000-r1', role: 'router', zone: 'par-1', address: 'zone/par-1' },
    { name: 'ap0000-r2', role: 'router', zone: 'par-2', address: 'zone/par-2' },
    { name: 'ap0000-w', role: 'witness', address: 'witness/par-3' },
  ],
  links: [
    { name: 'bb1', namespace: 'ap0000-r1', peerNamespace: 'ap0000-r2', peerName: 'bb0', kind: 'backbone' },
    { name: 'wt0', namespace: 'ap0000-r1', peerNamespace: 'ap0000-w', peerName: 'z1', kind: 'witness' },
    { name: 'wt0', namespace: 'ap0000-r2', peerNamespace: 'ap0000-w', peerName: 'z2', kind: 'witness' },
    { name: 'ed0', namespace: 'ap0000-r1', peerNamespace: 'ap0000-e1', kind: 'edge' },
    { name: 'v1', namespace: 'ap0000-r1', peerNamespace: 'ap0000-i1', kind: 'instance' },
  ],
};
const fault = (kind: FaultRecord['kind'], target?: string): FaultRecord => ({ kind, ...(target ? { target } : {}), namespaces: [], pids: [], injectedAt: '' });

test('zone-loss silences the zone router links to the outside, never its instances', () => {
  assert.deepEqual([...dropPlan(state, [fault('zone-loss', 'par-1')])], [['ap0000-r1', ['bb1', 'ed0', 'wt0']]]);
});

test('backbone-cut drops both ends; witness-loss the witness side; faults compose', () => {
  const plan = dropPlan(state, [fault('backbone-cut'), fault('witness-loss'), fault('zone-loss', 'par-1')]);
  assert.deepEqual(plan.get('ap0000-r2'), ['bb0']);
  assert.deepEqual(plan.get('ap0000-w'), ['z1', 'z2']);
  assert.deepEqual(plan.get('ap0000-r1'), ['bb1', 'ed0', 'wt0']);
});

test('the drop table replaces itself atomically and drops, never rejects', () => {
  const table = dropTable(['bb1', 'wt0']);
  assert.match(table, /^table inet archipel_fault\ndelete table inet archipel_fault\n/);
  assert.match(table, /iifname \{ "bb1", "wt0" \} drop/);
  assert.doesNotMatch(table, /reject/);
  assert.throws(() => dropTable(['bad name']), /invalid kernel name/);
});
