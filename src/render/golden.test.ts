/**
 * Golden files: the artefacts of each case are kept under fixtures/golden/CASE/ and compared byte for byte,
 * so any change to a rendered config shows up in review as a diff of the config itself.
 * `UPDATE_GOLDEN=1 node --import tsx --test src/render/golden.test.ts` rewrites them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Artefact, CompiledEstate } from '../compile/types.ts';
import { analyseEstateFile } from '../pipeline.ts';
import { renderArtefacts } from './index.ts';
import { smallEstate } from './testing-fixture.ts';

const ROOT = fileURLToPath(new URL('../../fixtures/golden/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** The first differing line, for a readable failure instead of two whole files. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: expected ${JSON.stringify(a[i])}, got ${JSON.stringify(b[i])}`;
  }
  return 'identical';
}

async function compareGolden(name: string, artefacts: Artefact[]): Promise<void> {
  const dir = join(ROOT, name);
  if (UPDATE) {
    await rm(dir, { recursive: true, force: true });
    for (const a of artefacts) {
      await mkdir(dirname(join(dir, a.path)), { recursive: true });
      await writeFile(join(dir, a.path), a.content);
    }
  }
  const hint = 'rerun with UPDATE_GOLDEN=1 and review the diff';
  assert.deepEqual(await listFiles(dir), artefacts.map((a) => a.path).sort(), `golden ${name}: files differ (${hint})`);
  for (const a of artefacts) {
    const expected = await readFile(join(dir, a.path), 'utf8');
    if (expected !== a.content) assert.fail(`golden ${name}/${a.path}: ${firstDifference(expected, a.content)} (${hint})`);
  }
}

/** Compile an example through the whole pipeline; an estate that does not compile fails the test. */
async function example(name: string): Promise<CompiledEstate> {
  const analysis = await analyseEstateFile(fileURLToPath(new URL(`../../examples/${name}.yaml`, import.meta.url)));
  assert.ok(analysis.compiled, `examples/${name}.yaml does not compile: ${JSON.stringify(analysis.diagnostics)}`);
  return analysis.compiled;
}

const CASES: { name: string; estate: () => Promise<CompiledEstate> }[] = [
  { name: 'minimal', estate: () => example('minimal') },
  { name: 'fixture-small', estate: async () => smallEstate() },
];

for (const c of CASES) {
  test(`golden artefacts: ${c.name}`, async () => {
    await compareGolden(c.name, renderArtefacts(await c.estate()));
  });

  test(`deterministic: ${c.name} rendered twice is byte-identical`, async () => {
    assert.deepEqual(renderArtefacts(await c.estate()), renderArtefacts(await c.estate()));
  });
}
