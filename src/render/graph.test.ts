import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estateGraph, nodeIds, renderDot, renderGraphs, renderMermaid } from './graph.ts';
import { smallEstate } from './testing-fixture.ts';

const SAFE_ID = /^[a-z][a-z0-9_]*$/;

test('node ids are safe identifiers; addresses that would collide get a hash suffix', () => {
  const ids = nodeIds(['app/a--b', 'app/a/b', 'db/main']);
  assert.equal(ids.get('db/main'), 'db_main');
  assert.notEqual(ids.get('app/a--b'), ids.get('app/a/b'));
  for (const id of ids.values()) assert.match(id, SAFE_ID);
  assert.throws(() => nodeIds(['app/x"]; evil']), /invalid address/);
});

test('applications are grouped by tier; data services are not applications', () => {
  const graph = estateGraph(smallEstate());
  assert.deepEqual(graph.groups.map((g) => [g.label, g.nodes.map((n) => n.label)]), [
    ['important', ['api', 'web']],
    ['standard', ['video', 'worker']],
  ]);
  assert.deepEqual(graph.nodes.map((n) => [n.id, n.shape]), [
    ['bucket_cameras', 'bucket'],
    ['cache_sessions', 'cache'],
    ['db_main', 'db'],
    ['frontend_video_minimal_example', 'frontend'],
    ['frontend_web_minimal_example', 'frontend'],
  ]);
});

test('edges carry ports; infrastructure flows only on request', () => {
  const plain = estateGraph(smallEstate());
  assert.ok(plain.edges.some((e) => e.from === 'app_web' && e.to === 'app_api' && e.label === '8080/tcp' && !e.dotted));
  assert.ok(plain.edges.some((e) => e.from === 'app_web' && e.to === 'cache_sessions' && e.dotted));
  assert.ok(!plain.edges.some((e) => e.from === 'db_main' || e.from.startsWith('edge_')));
  const full = estateGraph(smallEstate(), { infrastructure: true });
  assert.ok(full.edges.some((e) => e.from === 'db_main' && e.to === 'db_main' && e.label === '2379/tcp, 5432/tcp'));
  assert.ok(full.nodes.some((n) => n.id === 'witness_par_3' && n.shape === 'infra'));
});

test('Mermaid and DOT show the same nodes and edges', () => {
  const graph = estateGraph(smallEstate());
  const mermaid = renderMermaid(graph);
  const dot = renderDot(graph, 'small');
  assert.ok(mermaid.startsWith('flowchart LR\n'));
  assert.match(mermaid, /subgraph tier_important\["important"\]\n\s+app_api\["api"\]\n\s+app_web\["web"\]\n\s+end/);
  assert.match(mermaid, /db_main\[\("db\/main"\)\]/);
  assert.match(mermaid, /app_web -->\|"8080\/tcp"\| app_api/);
  assert.ok(dot.startsWith('digraph "small" {\n'));
  assert.match(dot, /subgraph cluster_tier_important \{/);
  assert.match(dot, /db_main \[label="db\/main", shape=cylinder\];/);
  assert.match(dot, /app_web -> app_api \[label="8080\/tcp"\];/);
  const edges = (text: string, arrow: RegExp) => text.split('\n').filter((l) => arrow.test(l)).length;
  assert.equal(edges(mermaid, /-->|-\.->/), edges(dot, / -> /));
  assert.equal(edges(dot, / -> /), graph.edges.length);
});

test('two artefacts, one per syntax', () => {
  assert.deepEqual(renderGraphs(smallEstate()).map((a) => a.path), ['graph/estate.dot', 'graph/estate.mmd']);
});
