import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeXml, expirationDays, renderLifecycle, renderLifecycles } from './lifecycle.ts';
import { regionEstate, smallEstate } from './testing-fixture.ts';

test('days are rounded up to whole days, at least one', () => {
  assert.equal(expirationDays(30 * 86_400), 30);
  assert.equal(expirationDays(36 * 3600), 2);
  assert.equal(expirationDays(3600), 1);
  assert.equal(expirationDays(0), 1);
});

test('a bucket with a delete-by limit gets an enabled rule on every object', () => {
  const [artefact, ...rest] = renderLifecycles(smallEstate());
  assert.equal(rest.length, 0);
  assert.equal(artefact!.path, 'lifecycle/cameras.xml');
  assert.equal(
    artefact!.content,
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
      '  <Rule>',
      '    <ID>archipel-delete-by-cameras</ID>',
      '    <Filter>',
      '      <Prefix></Prefix>',
      '    </Filter>',
      '    <Status>Enabled</Status>',
      '    <Expiration>',
      '      <Days>30</Days>',
      '    </Expiration>',
      '  </Rule>',
      '</LifecycleConfiguration>',
      '',
    ].join('\n'),
  );
});

test('a versioned bucket also expires noncurrent versions, or the data would survive as old versions', () => {
  const [artefact] = renderLifecycles(regionEstate());
  assert.match(artefact!.content, /<Days>730<\/Days>/);
  assert.match(artefact!.content, /<NoncurrentVersionExpiration>\n\s+<NoncurrentDays>1<\/NoncurrentDays>/);
});

test('buckets without a delete-by limit get no file', () => {
  const estate = smallEstate();
  const buckets = estate.buckets.map(({ deleteAfterSeconds: _, ...b }) => b);
  assert.deepEqual(renderLifecycles({ ...estate, buckets }), []);
  assert.throws(() => renderLifecycle(buckets[0]!), /no delete-by limit/);
});

test('text is XML-escaped', () => {
  assert.equal(escapeXml(`a<b>&"c'`), 'a&lt;b&gt;&amp;&quot;c&apos;');
});
