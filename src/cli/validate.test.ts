import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './main.ts';
import type { Io } from './command.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function run(args: string[], cwd = root): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd, env: {} };
  const code = await main(['validate', ...args], io);
  return { code, out, err };
}

function scratch(t: { after: (fn: () => void) => void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'archipel-validate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const VALID = `estate: tiny
zones: [par-1, par-2]
applications:
  web:
    health: { http: /healthz }
    expose: { host: web.tiny.example, allow: [public] }
    flows: [{ to: api }]
  api: {}
`;

test('a valid file: one summary line on stdout, nothing on stderr, exit 0', async (t) => {
  const dir = scratch(t, { 'tiny.yaml': VALID });
  const r = await run(['tiny.yaml'], dir);
  assert.deepEqual(r, { code: 0, out: 'tiny.yaml: valid (2 applications, 0 databases, 0 warnings)\n', err: '' });
});

test('warnings go to stderr with their snippet; still valid', async (t) => {
  const dir = scratch(t, { 'w.yaml': `${VALID}  lonely: {}\n` });
  const r = await run(['w.yaml'], dir);
  assert.equal(r.code, 0);
  assert.equal(r.out, 'w.yaml: valid (3 applications, 0 databases, 1 warning)\n');
  assert.equal(
    r.err,
    [
      'w.yaml:9:3: warning W_ISLAND: application "lonely" has no flows, is not exposed and is the target of no flow: nothing can reach it and it reaches nothing (app/lonely)',
      '  9 |   lonely: {}',
      '    |   ^',
      '  hint: declare its flows or expose it, or remove it if it is unused',
      '',
      '0 errors, 1 warning',
      '',
    ].join('\n'),
  );
});

test('an invalid file: diagnostics on stderr, nothing on stdout, exit 2', async (t) => {
  const dir = scratch(t, { 'bad.yaml': VALID.replace('{ to: api }', '{ to: api }, { to: apx }') });
  const r = await run(['bad.yaml'], dir);
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.equal(
    r.err,
    [
      'bad.yaml:7:32: error E_UNKNOWN_FLOW_TARGET: application "web" has a flow to "apx", which the estate does not declare (flow/app/web->app/apx)',
      '  7 |     flows: [{ to: api }, { to: apx }]',
      '    |                                ^',
      '  hint: did you mean "api"?',
      '',
      '1 error, 0 warnings',
      '',
    ].join('\n'),
  );
});

test('--format json: one document on stdout, exit code by validity', async (t) => {
  const dir = scratch(t, { 'bad.yaml': VALID.replace('{ to: api }', '{ to: api }, { to: apx }'), 'ok.yaml': VALID });
  const bad = await run(['--format', 'json', 'bad.yaml'], dir);
  assert.equal(bad.code, 2);
  assert.equal(bad.err, '');
  const doc = JSON.parse(bad.out) as { valid: boolean; errors: number; warnings: number; diagnostics: { code: string; line: number; column: number; file: string }[] };
  assert.equal(doc.valid, false);
  assert.equal(doc.errors, 1);
  assert.equal(doc.warnings, 0);
  assert.deepEqual(
    doc.diagnostics.map((d) => [d.code, d.file, d.line, d.column]),
    [['E_UNKNOWN_FLOW_TARGET', 'bad.yaml', 7, 32]],
  );
  const ok = await run(['ok.yaml', '--format=json'], dir);
  assert.equal(ok.code, 0);
  assert.deepEqual(JSON.parse(ok.out), { file: 'ok.yaml', valid: true, errors: 0, warnings: 0, diagnostics: [] });
});

test('the minimal example validates', async () => {
  const r = await run(['examples/minimal.yaml']);
  assert.equal(r.code, 0);
  assert.match(r.out, /^examples\/minimal\.yaml: valid \(3 applications, 1 database, \d+ warnings?\)\n$/);
});

test('a missing file is bad input, with a clear message', async (t) => {
  const dir = scratch(t, {});
  assert.deepEqual(await run(['nope.yaml'], dir), { code: 2, out: '', err: 'archipel validate: nope.yaml: no such file\n' });
  const json = await run(['nope.yaml', '--format', 'json'], dir);
  assert.equal(json.code, 2);
  assert.equal((JSON.parse(json.out) as { diagnostics: { code: string }[] }).diagnostics[0]!.code, 'E_FILE');
});

test('usage errors: no file, two files, unknown format, unknown option', async () => {
  for (const args of [[], ['a.yaml', 'b.yaml'], ['--format', 'xml', 'a.yaml'], ['--strict', 'a.yaml']]) {
    const r = await run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.out, '');
    assert.match(r.err, /^archipel validate: .*\n\nusage: archipel validate FILE/);
  }
  assert.match((await run(['--format', 'xml', 'a.yaml'])).err, /valid values: text, json/);
});
