/**
 * `lifecycle/BUCKET.xml`: the S3 lifecycle configuration that enforces a bucket's delete-by limit
 * (expireAfter / retainFor), e.g. camera footage deleted after 30 days, grant documents after 2 years.
 * The same XML is accepted by any S3-compatible store (PutBucketLifecycleConfiguration).
 */
import type { Artefact, CompiledBucket, CompiledEstate } from '../compile/types.ts';
import { checked, compareStrings } from './util.ts';

const DAY = 86_400;

export function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
}

/** Lifecycle days are whole days and at least 1. */
export function expirationDays(deleteAfterSeconds: number): number {
  return Math.max(1, Math.ceil(deleteAfterSeconds / DAY));
}

export function renderLifecycle(bucket: CompiledBucket): string {
  if (bucket.deleteAfterSeconds === undefined) throw new Error(`render: ${bucket.address} has no delete-by limit`);
  const days = expirationDays(bucket.deleteAfterSeconds);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    '  <Rule>',
    `    <ID>${escapeXml(`archipel-delete-by-${bucket.name}`)}</ID>`,
    '    <Filter>',
    '      <Prefix></Prefix>',
    '    </Filter>',
    '    <Status>Enabled</Status>',
    '    <Expiration>',
    `      <Days>${days}</Days>`,
    '    </Expiration>',
  ];
  // With versioning, expiring an object only adds a delete marker: the data stays as a noncurrent version
  // unless noncurrent versions expire too; one day later is the shortest the format allows.
  if (bucket.versioning) {
    lines.push('    <NoncurrentVersionExpiration>', '      <NoncurrentDays>1</NoncurrentDays>', '    </NoncurrentVersionExpiration>');
  }
  lines.push('  </Rule>', '</LifecycleConfiguration>', '');
  return lines.join('\n');
}

/** One lifecycle file per bucket with a delete-by limit, sorted by bucket name. */
export function renderLifecycles(estate: CompiledEstate): Artefact[] {
  return estate.buckets
    .filter((b) => b.deleteAfterSeconds !== undefined)
    .sort((a, b) => compareStrings(a.name, b.name))
    .map((b) => ({ path: `lifecycle/${checked('name', b.name)}.xml`, content: renderLifecycle(b) }));
}
