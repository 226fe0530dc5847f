import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KERNEL_NAME, checkKernelName, localNames } from './names.ts';

test('names fit the kernel limit, carry the estate prefix and are stable', () => {
  const names = localNames('region');
  const all = [
    names.router('par-1'),
    names.router('par-2'),
    names.instance('app/a-very-long-application-name-indeed/par-1/12'),
    names.edge('par-1'),
    names.witness('par-3'),
  ];
  for (const name of all) {
    assert.match(name, KERNEL_NAME);
    assert.equal(name.length, 15);
    assert.ok(name.startsWith(names.prefix));
    assert.ok(names.owns(name));
  }
  assert.equal(new Set(all).size, all.length);
  assert.equal(localNames('region').router('par-1'), names.router('par-1'));
  assert.match(names.bridge('net/app/web'), /^b[0-9a-f]{7}$/);
  assert.match(names.instancePort('app/web/par-1/0'), /^v[0-9a-f]{7}$/);
  assert.equal(names.backbone(1), 'bb1');
});

test('two estates side by side never share a name', () => {
  const a = localNames('e2enet');
  const b = localNames('e2emid');
  assert.notEqual(a.prefix, b.prefix);
  assert.notEqual(a.router('par-1'), b.router('par-1'));
  assert.equal(a.owns(b.router('par-1')), false);
});

test('a few hundred instances get distinct names (collisions would throw)', () => {
  const names = localNames('region');
  const seen = new Set<string>();
  for (let app = 0; app < 150; app++) {
    for (const zone of ['par-1', 'par-2']) {
      for (let i = 0; i < 2; i++) seen.add(names.instance(`app/app${app}/${zone}/${i}`));
    }
  }
  assert.equal(seen.size, 600);
});

test('invalid kernel names throw: they are bugs, never user input', () => {
  assert.throws(() => checkKernelName('Bad_Name'), /invalid kernel name/);
  assert.throws(() => checkKernelName('a'.repeat(16)), /invalid kernel name/);
  assert.throws(() => localNames('x').backbone(-1), /invalid zone index/);
});
