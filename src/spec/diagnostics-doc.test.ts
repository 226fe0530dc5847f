import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Non-test TypeScript files under a path (a file or a directory). */
function sources(path: string): string[] {
  const full = join(ROOT, path);
  if (statSync(full).isFile()) return [full];
  return readdirSync(full, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(full, f));
}

/** Codes a user can meet from `validate`: the spec stage, the pipeline, the model and the compiler. */
function emittedCodes(): Set<string> {
  const codes = new Set<string>();
  for (const file of ['src/spec', 'src/pipeline.ts', 'src/model', 'src/compile'].flatMap(sources)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/'([EW]_[A-Z_]+)'/g)) codes.add(m[1]!);
  }
  return codes;
}

function documentedCodes(): string[] {
  const doc = readFileSync(join(ROOT, 'docs/diagnostics.md'), 'utf8');
  return [...doc.matchAll(/^\| `([EW]_[A-Z_]+)` \|/gm)].map((m) => m[1]!);
}

test('every emitted code is documented in docs/diagnostics.md', () => {
  const documented = new Set(documentedCodes());
  assert.deepEqual([...emittedCodes()].filter((c) => !documented.has(c)).sort(), []);
});

test('every documented code is emitted somewhere, and documented once', () => {
  const emitted = emittedCodes();
  const documented = documentedCodes();
  assert.deepEqual(documented.filter((c) => !emitted.has(c)).sort(), []);
  assert.equal(new Set(documented).size, documented.length);
});

test('warnings are W_ codes and errors E_ codes', () => {
  let warnings = 0;
  for (const file of sources('src/spec')) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/severity: 'warning',\s*code: '([EW]_[A-Z_]+)'/g)) {
      assert.match(m[1]!, /^W_/, `${file}: ${m[1]}`);
      warnings++;
    }
  }
  assert.ok(warnings >= 6, `found ${warnings} warnings in src/spec: the pattern no longer matches the sources`);
});
