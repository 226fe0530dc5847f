import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from './main.ts';
import type { Io } from './command.ts';

function capture(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    cwd: process.cwd(),
    env: {},
    stdout: () => out,
    stderr: () => err,
  };
}

test('an unknown format is answered with the valid ones, exit 2', async () => {
  const io = capture();
  assert.equal(await main(['graph', 'examples/minimal.yaml', '--format', 'svg'], io), 2);
  assert.match(io.stderr(), /unknown format "svg" \(valid values: mermaid, dot, json\)/);
  assert.equal(io.stdout(), '');
});

test('a missing FILE is a usage error', async () => {
  const io = capture();
  assert.equal(await main(['graph'], io), 2);
  assert.match(io.stderr(), /missing FILE/);
});

test('an unreadable estate file is a diagnostic on stderr, exit 2, nothing on stdout', async () => {
  const io = capture();
  assert.equal(await main(['graph', 'no/such/estate.yaml'], io), 2);
  assert.match(io.stderr(), /E_FILE/);
  assert.equal(io.stdout(), '');
});

test('prints the minimal estate as Mermaid by default, warnings on stderr', async () => {
  const io = capture();
  assert.equal(await main(['graph', 'examples/minimal.yaml'], io), 0);
  assert.ok(io.stdout().startsWith('flowchart LR\n'));
  assert.match(io.stdout(), /app_web -->\|"8080\/tcp"\| app_api/);
  assert.match(io.stdout(), /db_main\[\("db\/main"\)\]/);
  assert.doesNotMatch(io.stdout(), /witness|vault|edge_par/);
});

test('--format dot and --infra', async () => {
  const io = capture();
  assert.equal(await main(['graph', 'examples/minimal.yaml', '--format', 'dot', '--infra'], io), 0);
  assert.ok(io.stdout().startsWith('digraph "minimal" {\n'));
  assert.match(io.stdout(), /witness_par_3 -> db_main \[label="2379\/tcp, 2380\/tcp", style=dashed\];/);
});

test('--format json is the graph as stable JSON', async () => {
  const io = capture();
  assert.equal(await main(['graph', 'examples/minimal.yaml', '--format', 'json'], io), 0);
  const graph = JSON.parse(io.stdout()) as { edges: { from: string; to: string; label: string }[] };
  assert.ok(graph.edges.some((e) => e.from === 'app_worker' && e.to === 'db_main' && e.label === '5432/tcp'));
});

test('an invalid estate prints its diagnostics on stderr and no diagram, exit 2', async () => {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'archipel-graph-'));
  try {
    await writeFile(join(dir, 'bad.yaml'), 'estate: bad\nzones: [par-1, par-2]\napplications:\n  web: { flows: [{ to: nowhere }] }\n');
    const io = { ...capture(), cwd: dir };
    const result = capture();
    const code = await main(['graph', 'bad.yaml'], { ...io, out: result.out, err: result.err });
    assert.equal(code, 2);
    assert.match(result.stderr(), /bad\.yaml:4:\d+: error E_/);
    assert.equal(result.stdout(), '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
