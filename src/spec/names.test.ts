import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dashCollisions, isSafeName, nameProblem, shortHash, squeezeName } from './names.ts';

test('safe names: DNS-label-like, not reserved, no trailing or doubled dash', () => {
  for (const name of ['aides', 'par-1', 'a', 'video-protection', 'x'.repeat(63)]) assert.ok(isSafeName(name), name);
});

test('hostile and awkward names are rejected with a reason', () => {
  const cases: Record<string, RegExp> = {
    'a;rm -rf': /lower-case/,
    '../etc': /lower-case/,
    'аpp': /lower-case/, // Cyrillic а
    '__proto__': /lower-case/,
    'App': /lower-case/,
    '': /lower-case/,
    ['x'.repeat(64)]: /63/,
    default: /reserved/,
    all: /reserved/,
    lo: /reserved/,
    constructor: /reserved/,
    'web-': /end with/,
    'web--api': /"--"/,
  };
  for (const [name, reason] of Object.entries(cases)) {
    assert.equal(isSafeName(name), false, name);
    assert.match(nameProblem(name) ?? '', reason, name);
  }
});

test('dashCollisions groups names that differ only by dash placement', () => {
  assert.equal(squeezeName('a-b-c'), 'abc');
  assert.deepEqual(dashCollisions(['ab-c', 'web', 'a-bc', 'abc', 'api']), [['a-bc', 'ab-c', 'abc']]);
  assert.deepEqual(dashCollisions(['web', 'api', 'web']), [], 'the same name twice is not a dash collision');
});

test('shortHash is a stable sha256 hex prefix', () => {
  assert.equal(shortHash('app/aides'), shortHash('app/aides'));
  assert.equal(shortHash('', 12), 'e3b0c44298fc');
  assert.equal(shortHash('app/aides', 4).length, 4);
  assert.notEqual(shortHash('app/aides'), shortHash('app/aide'));
  assert.throws(() => shortHash('x', 0), RangeError);
});
