import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareAddresses, flowAddress, sortByAddress, targetAddress } from './address.ts';

test('addresses sort naturally: index 2 before index 10, locale-free', () => {
  const sorted = ['app/x/par-1/10', 'app/x/par-1/2', 'app/b', 'app/a-1', 'app/a', 'App/z'].sort(compareAddresses);
  assert.deepEqual(sorted, ['App/z', 'app/a', 'app/a-1', 'app/b', 'app/x/par-1/2', 'app/x/par-1/10']);
});

test('the order is total and antisymmetric, including leading zeros', () => {
  const items = ['a01', 'a1', 'a10', 'a2', 'a', 'a1b', 'b', 'a-1'];
  for (const x of items) {
    assert.equal(compareAddresses(x, x), 0);
    for (const y of items) if (x !== y) assert.equal(Math.sign(compareAddresses(x, y)), -Math.sign(compareAddresses(y, x)));
  }
  assert.deepEqual(sortByAddress(items, (s) => s), [...items].sort(compareAddresses));
});

test('flow addresses carry /udp only for udp', () => {
  assert.equal(flowAddress('app/a', 'app/b', 8080, 'tcp'), 'flow/app/a->app/b:8080');
  assert.equal(flowAddress('app/a', 'app/b', 53, 'udp'), 'flow/app/a->app/b:53/udp');
});

test('flow targets resolve to owner addresses', () => {
  assert.equal(targetAddress('payroll'), 'app/payroll');
  assert.equal(targetAddress('db/main'), 'db/main');
  assert.equal(targetAddress('bucket/cameras'), 'bucket/cameras');
});

/**
 * The order defined differently: a string is a list of items (a digit run is one number, any other
 * character is itself); a number meets a character through its first digit. compareAddresses must agree.
 */
function reference(a: string, b: string): number {
  const items = (s: string) => (s.match(/\d+|\D/g) ?? []).map((t) => ({ n: /^\d/.test(t) ? BigInt(t) : undefined, c: t.charCodeAt(0) }));
  const ia = items(a);
  const ib = items(b);
  for (let i = 0; i < Math.min(ia.length, ib.length); i++) {
    const x = ia[i]!;
    const y = ib[i]!;
    if (x.n !== undefined && y.n !== undefined) {
      if (x.n !== y.n) return x.n < y.n ? -1 : 1;
    } else if (x.c !== y.c) return x.c - y.c;
  }
  return ia.length - ib.length || (a === b ? 0 : a < b ? -1 : 1);
}

test('the fast comparison agrees with the token-by-token definition', () => {
  let seed = 7;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const alphabet = ['a', 'b', '0', '1', '9', '/', '-'];
  const word = () => Array.from({ length: 1 + Math.floor(next() * 7) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
  for (let i = 0; i < 20000; i++) {
    const a = word();
    const b = next() < 0.5 ? a.slice(0, Math.floor(next() * a.length)) + word() : word();
    assert.equal(Math.sign(compareAddresses(a, b)), Math.sign(reference(a, b)), `${a} vs ${b}`);
  }
});
