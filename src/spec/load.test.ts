import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { addressOf, displayPath, loadEstateText } from './load.ts';

const minimal = readFileSync(new URL('../../examples/minimal.yaml', import.meta.url), 'utf8');

function codes(text: string): string[] {
  return loadEstateText(text, 'e.yaml').diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`);
}

test('the minimal example loads with no diagnostics and typed values', () => {
  const loaded = loadEstateText(minimal, 'examples/minimal.yaml');
  assert.deepEqual(loaded.diagnostics, []);
  assert.equal(loaded.spec?.estate, 'minimal');
  assert.equal(loaded.spec?.applications.worker?.port, 9090);
});

test('locate: scalar values at the value, collections and forced keys at the key, missing at the ancestor', () => {
  const { locate } = loadEstateText(minimal, 'm.yaml');
  assert.deepEqual(locate(['estate']), { line: 3, column: 9 });
  assert.deepEqual(locate(['applications', 'web']), { line: 8, column: 3 });
  assert.deepEqual(locate(['applications', 'worker', 'flows', 0, 'port']), { line: 29, column: 30 });
  assert.deepEqual(locate(['applications', 'worker', 'flows', 1]), { line: 29, column: 38 });
  assert.deepEqual(locate(['applications', 'worker', 'port'], 'key'), { line: 27, column: 5 });
  assert.deepEqual(locate(['applications', 'worker', 'nothing', 'here']), { line: 24, column: 3 });
  assert.deepEqual(locate(['applications', 'worker', 'flows', 9]), { line: 29, column: 5 });
  assert.deepEqual(locate([]), { line: 3, column: 1 });
});

test('JSON is YAML', () => {
  const loaded = loadEstateText('{"estate": "j", "zones": ["a", "b"], "applications": {"web": {"port": 80}}}', 'e.json');
  assert.deepEqual(loaded.diagnostics, []);
  assert.equal(loaded.spec?.applications.web?.port, 80);
});

test('YAML syntax errors and duplicate keys stop before the schema, with positions', () => {
  assert.deepEqual(codes('estate: x\nzones: [a, b\n'), ['E_YAML_SYNTAX@3:1']);
  assert.deepEqual(codes('estate: x\nestate: y\n'), ['E_DUPLICATE_KEY@2:1']);
  assert.match(loadEstateText('estate: x\nestate: y\n', 'e.yaml').diagnostics[0]!.message, /"estate"/);
  assert.equal(loadEstateText('estate: x\nestate: y\n', 'e.yaml').spec, undefined);
});

test('an alias bomb is refused, not expanded', () => {
  const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 0; i < 8; i++) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`);
  const loaded = loadEstateText(`${lines.join('\n')}\n`, 'bomb.yaml');
  assert.equal(loaded.diagnostics[0]?.code, 'E_YAML_SYNTAX');
  assert.match(loaded.diagnostics[0]!.message, /alias/i);
});

test('not a mapping: one E_TYPE at the top', () => {
  assert.deepEqual(codes(''), ['E_TYPE@1:1']);
  assert.deepEqual(codes('- a\n- b\n'), ['E_TYPE@1:1']);
});

test('schema issues get stable codes, positions and hints', () => {
  const text = [
    'estate: x',
    'zones: [par-1]',
    'witnes: par-3',
    'applications:',
    '  Web: {}',
    '  api:',
    '    tier: crit',
    '    port: "80"',
    '    flows: [{ port: 80 }]',
    '    data: { bucket: { name: b, expireAfter: 1mo } }',
    'addressPool: 198.18.0.0',
    '',
  ].join('\n');
  const loaded = loadEstateText(text, 'e.yaml');
  assert.equal(loaded.spec, undefined);
  const byCode = Object.fromEntries(loaded.diagnostics.map((d) => [d.code, d]));
  assert.deepEqual(
    loaded.diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`).sort(),
    ['E_INVALID_CIDR@11:14', 'E_INVALID_DURATION@10:45', 'E_INVALID_NAME@5:3', 'E_INVALID_VALUE@7:11', 'E_RANGE@2:1', 'E_REQUIRED@9:13', 'E_TYPE@8:11', 'E_UNKNOWN_KEY@3:1'],
  );
  assert.equal(byCode.E_UNKNOWN_KEY!.hint, 'did you mean "witness"?');
  assert.equal(byCode.E_INVALID_VALUE!.hint, 'valid values: critical, important, standard');
  assert.equal(byCode.E_INVALID_VALUE!.address, 'app/api');
  assert.deepEqual(byCode.E_REQUIRED!.path, ['applications', 'api', 'flows', 0, 'to']);
  assert.equal(byCode.E_INVALID_NAME!.address, undefined, 'an invalid name makes no address');
  assert.ok(loaded.diagnostics.every((d) => d.severity === 'error' && d.file === 'e.yaml'));
});

test('an unknown key with no close match lists the valid keys', () => {
  const d = loadEstateText('estate: x\nzones: [a, b]\napplications: {}\nfrobnicate: 1\n', 'e.yaml').diagnostics[0]!;
  assert.equal(d.code, 'E_UNKNOWN_KEY');
  assert.match(d.hint ?? '', /^valid keys: \$schema, access, addressPool, applications/);
});

test('a YAML merge key is reported as such', () => {
  const d = loadEstateText('estate: x\nzones: [a, b]\napplications:\n  web:\n    <<: { port: 80 }\n', 'e.yaml').diagnostics[0]!;
  assert.equal(d.code, 'E_UNKNOWN_KEY');
  assert.deepEqual([d.line, d.column], [5, 5]);
  assert.match(d.hint ?? '', /merge keys/);
});

test('paths display and map to canonical addresses', () => {
  assert.equal(displayPath(['applications', 'a', 'flows', 0, 'to']), 'applications.a.flows[0].to');
  assert.equal(addressOf(['databases', 'main', 'engine']), 'db/main');
  assert.equal(addressOf(['zones', 0]), undefined);
});

test('a region-size estate loads (5,000 applications)', () => {
  const lines = ['estate: big', 'zones: [par-1, par-2]', 'applications:'];
  for (let i = 0; i < 5000; i++) lines.push(`  app-${i}: { port: 8080, health: { http: /healthz }, flows: [{ to: app-${(i + 1) % 5000} }] }`);
  const loaded = loadEstateText(`${lines.join('\n')}\n`, 'big.yaml');
  assert.deepEqual(loaded.diagnostics, []);
  assert.equal(Object.keys(loaded.spec!.applications).length, 5000);
  assert.deepEqual(loaded.locate(['applications', 'app-4999', 'flows', 0, 'to']), { line: 5003, column: 69 });
});
