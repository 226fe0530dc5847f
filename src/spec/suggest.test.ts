import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, didYouMean, editDistance, suggest, validValues } from './suggest.ts';

test('editDistance counts edits and adjacent transpositions', () => {
  assert.equal(editDistance('witness', 'witness'), 0);
  assert.equal(editDistance('witnes', 'witness'), 1);
  assert.equal(editDistance('wtiness', 'witness'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('abc', 'abcdefgh', 2), 3, 'a capped distance stops at cap + 1');
});

test('closest suggests a plausible typo and nothing for an unrelated word', () => {
  assert.equal(closest('witnes', ['zones', 'witness', 'estate']), 'witness');
  assert.equal(closest('paymentz', ['payroll', 'payments']), 'payments');
  assert.equal(closest('zzzzzz', ['witness', 'estate']), undefined);
  assert.equal(closest('ab', ['ac', 'ab']), 'ac', 'an exact match is not a suggestion');
});

test('closest breaks ties alphabetically so hints are deterministic', () => {
  assert.equal(closest('bat', ['cat', 'bag', 'hat']), 'bag');
  assert.equal(closest('bat', ['hat', 'cat', 'bag']), 'bag');
});

test('hints: did-you-mean first, else the sorted list of valid values', () => {
  assert.equal(didYouMean('critcal', ['critical', 'standard']), 'did you mean "critical"?');
  assert.equal(suggest('gold', ['standard', 'critical', 'important']), 'valid values: critical, important, standard');
  assert.equal(validValues([], 'declared zones'), 'declared zones: none');
  assert.equal(validValues(['c', 'b', 'a', 'b'], 'x', 2), 'x: a, b, ... (1 more)');
});
