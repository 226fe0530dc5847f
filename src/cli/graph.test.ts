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
