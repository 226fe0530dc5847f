import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './durations.ts';

test('durations parse to seconds and format back to their largest exact unit', () => {
  assert.equal(parseDuration('15m'), 900);
  assert.equal(parseDuration('30d'), 2_592_000);
  assert.equal(parseDuration('2y'), 63_072_000);
  assert.equal(parseDuration('0s'), 0);
  assert.equal(formatDuration(2_592_000), '30d');
  assert.equal(formatDuration(90), '90s');
  assert.equal(formatDuration(1_209_600), '2w');
});

test('a malformed duration is a bug at this level and throws', () => {
  assert.throws(() => parseDuration('1 month'), /invalid duration/);
  assert.throws(() => parseDuration('-5m'), /invalid duration/);
});
