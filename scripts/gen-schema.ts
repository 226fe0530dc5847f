/**
 * Writes schema/estate.schema.json from the zod schema (src/spec/schema.ts), so that editors validate
 * and complete estate files (`# yaml-language-server: $schema=../schema/estate.schema.json`).
 *
 * The text is a pure function of the schema (renderEstateSchema): a unit test compares it with the
 * committed file and fails when someone changes schema.ts without running `npm run schema`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Estate } from '../src/spec/schema.ts';

/** A URN rather than a URL: the schema is addressed by path from each example, not served anywhere. */
export const SCHEMA_ID = 'urn:archipel:schema:estate:1';
export const SCHEMA_PATH = fileURLToPath(new URL('../schema/estate.schema.json', import.meta.url));

/** The JSON Schema text: draft 2020-12, $id and title first, 2-space indent, trailing newline. */
export function renderEstateSchema(): string {
  const generated = z.toJSONSchema(Estate, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  const document = {
    $schema,
    $id: SCHEMA_ID,
    title: 'archipel estate',
    description: 'An IT estate declared once: zones, applications, their private networks and flows, data services, backups and access.',
    ...rest,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_PATH, renderEstateSchema());
  process.stderr.write(`wrote ${SCHEMA_PATH}\n`);
}
