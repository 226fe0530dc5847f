import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLocal, formatIp, linkSubnet, parseCidr, parseIp } from './addr.ts';

test('addresses parse, format and carve /30 links', () => {
  assert.equal(formatIp(parseIp('198.19.255.254')), '198.19.255.254');
  assert.deepEqual(parseCidr('198.18.0.64/26'), { base: parseIp('198.18.0.64'), prefix: 26 });
  assert.deepEqual(linkSubnet('198.19.0.0/28', 1, 'witness/par-3'), { cidr: '198.19.0.4/30', a: '198.19.0.5', b: '198.19.0.6' });
  assert.throws(() => linkSubnet('198.19.0.0/30', 1, 'edge/par-1'), /too small/);
});

test('malformed input and addresses outside 198.18.0.0/15 are refused', () => {
  assert.throws(() => parseIp('198.18.0'), /invalid IPv4/);
  assert.throws(() => parseIp('198.18.0.256'), /invalid IPv4/);
  assert.throws(() => parseCidr('198.18.0.1/24'), /host bits/);
  assert.throws(() => parseCidr('198.18.0.0/33'), /invalid CIDR/);
  checkLocal('198.19.255.0/24', 'x');
  checkLocal('198.18.0.1', 'x');
  assert.throws(() => checkLocal('10.0.0.0/8', 'net/app/web'), /outside 198.18.0.0\/15/);
  assert.throws(() => checkLocal('198.16.0.0/14', 'pool'), /outside/);
});
