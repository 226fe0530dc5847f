import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderArtefacts } from './index.ts';
import { regionEstate, smallEstate } from './testing-fixture.ts';

test('every artefact, sorted by path', () => {
  assert.deepEqual(renderArtefacts(smallEstate()).map((a) => a.path), [
    'graph/estate.dot',
    'graph/estate.mmd',
    'haproxy/par-1.cfg',
    'haproxy/par-2.cfg',
    'lifecycle/cameras.xml',
    'nftables/par-1.nft',
    'nftables/par-2.nft',
    'plan.json',
  ]);
});

test('deterministic: rendering twice gives byte-identical artefacts', () => {
  for (const make of [smallEstate, regionEstate]) assert.deepEqual(renderArtefacts(make()), renderArtefacts(make()));
});

test('rendering does not change the estate it is given', () => {
  const estate = smallEstate();
  renderArtefacts(estate);
  assert.deepEqual(estate, smallEstate());
});
