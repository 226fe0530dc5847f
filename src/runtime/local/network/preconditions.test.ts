import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkProblems, type HostFacts } from './preconditions.ts';

const ok: HostFacts = { platform: 'linux', uid: 0, capEff: 0x1ffffffffffn, tools: { ip: true, nft: true, nsenter: true }, bridge: true };

test('a capable Linux host has no problem', () => {
  assert.deepEqual(networkProblems(ok), []);
});

test('each missing piece gets one message with its fix', () => {
  assert.match(networkProblems({ ...ok, platform: 'darwin' }).join(), /needs Linux/);
  assert.match(networkProblems({ ...ok, uid: 1000, capEff: 0n }).join(), /needs root.*sudo/);
  assert.deepEqual(networkProblems({ ...ok, uid: 1000, capEff: (1n << 12n) | (1n << 21n) }), []);
  assert.match(networkProblems({ ...ok, capEff: 0n }).join(), /CAP_NET_ADMIN.*--cap-add NET_ADMIN/);
  const missing = networkProblems({ ...ok, tools: { ip: false, nft: false, nsenter: true }, bridge: false });
  assert.equal(missing.length, 3);
  assert.match(missing[1]!, /apt-get install -y nftables/);
  assert.match(missing[2]!, /modprobe bridge/);
});
