/**
 * The shipped examples, compiled through the whole pipeline, render artefacts the real tools accept:
 * `nft -c` for every zone ruleset, `haproxy -dW -c` (zero warnings) for every edge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { analyseEstateFile } from '../pipeline.ts';
import { renderArtefacts } from './index.ts';
import { checkWith, unavailable } from './tool-check.ts';

for (const name of ['minimal', 'region']) {
  test(`examples/${name}.yaml renders rulesets nft accepts and edges haproxy accepts`, async (t) => {
    const analysis = await analyseEstateFile(fileURLToPath(new URL(`../../examples/${name}.yaml`, import.meta.url)));
    assert.ok(analysis.compiled, JSON.stringify(analysis.diagnostics));
    const artefacts = renderArtefacts(analysis.compiled);
    const rulesets = artefacts.filter((a) => a.path.startsWith('nftables/'));
    const edges = artefacts.filter((a) => a.path.startsWith('haproxy/'));
    assert.equal(rulesets.length, analysis.compiled.zones.length);
    assert.equal(edges.length, analysis.compiled.zones.length);
    const noNft = await unavailable('nft', true);
    if (noNft) t.diagnostic(`nft checks skipped: ${noNft}`);
    else for (const a of rulesets) await assert.doesNotReject(checkWith('nft', ['-c', '-f'], 'zone.nft', a.content), a.path);
    const noHaproxy = await unavailable('haproxy', false);
    if (noHaproxy) t.diagnostic(`haproxy checks skipped: ${noHaproxy}`);
    else for (const a of edges) await assert.doesNotReject(checkWith('haproxy', ['-dW', '-c', '-f'], 'edge.cfg', a.content), a.path);
  });
}
