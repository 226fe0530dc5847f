import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { renderEstateSchema, SCHEMA_ID, SCHEMA_PATH } from './gen-schema.ts';

test('schema/estate.schema.json is up to date with src/spec/schema.ts (run `npm run schema`)', () => {
  assert.equal(readFileSync(SCHEMA_PATH, 'utf8'), renderEstateSchema());
});

test('the schema is deterministic, identified, and strict about unknown keys', () => {
  const text = renderEstateSchema();
  assert.equal(text, renderEstateSchema());
  assert.ok(text.endsWith('}\n'));
  const schema = JSON.parse(text) as { $id: string; title: string; required: string[]; additionalProperties: boolean; properties: Record<string, unknown> };
  assert.equal(schema.$id, SCHEMA_ID);
  assert.equal(schema.title, 'archipel estate');
  assert.deepEqual([...schema.required].sort(), ['applications', 'estate', 'zones']);
  assert.equal(schema.additionalProperties, false);
  assert.ok('applications' in schema.properties);
});

test('every example names the schema on its first line', () => {
  const dir = new URL('../examples/', import.meta.url);
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length > 0);
  for (const file of files) {
    const first = readFileSync(new URL(file, dir), 'utf8').split('\n')[0];
    assert.equal(first, '# yaml-language-server: $schema=../schema/estate.schema.json', file);
  }
});
