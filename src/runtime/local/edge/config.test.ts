import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashOf, parsePort, planProxies, renderEntryConfig, type ProxyRecord } from './config.ts';

const edges = [
  { zone: 'par-2', namespace: 'ap1a2b-e22', ip: '198.18.0.66' },
  { zone: 'par-1', namespace: 'ap1a2b-e11', ip: '198.18.0.2' },
];

test('entry config: loopback bind, one server per edge in its namespace, sorted, fast checks and redispatch', () => {
  const text = renderEntryConfig('minimal', 8480, edges);
  assert.match(text, /^ {2}bind 127\.0\.0\.1:8480$/m);
  const servers = text.split('\n').filter((l) => l.trim().startsWith('server '));
  assert.deepEqual(servers, ['  server par-1 198.18.0.2:80 namespace ap1a2b-e11 check port 8404', '  server par-2 198.18.0.66:80 namespace ap1a2b-e22 check port 8404']);
  assert.match(text, /option redispatch/);
  assert.match(text, /retries 2/);
  assert.match(text, /retry-on conn-failure empty-response/);
  assert.match(text, /default-server inter 500ms fall 2 rise 1/);
  assert.match(text, /option httpchk GET \/stats/, 'a frozen edge still completes TCP handshakes: only an HTTP check sees it');
  assert.doesNotMatch(text, /http-request set-header Host/i, 'the Host header is passed through');
  assert.equal(renderEntryConfig('minimal', 8480, [...edges].reverse()), text, 'deterministic whatever the input order');
});

test('entry config: rejects names and addresses that would inject configuration', () => {
  assert.throws(() => renderEntryConfig('minimal', 8480, [{ zone: 'par-1\nlisten x', namespace: 'ap1a2b-e11', ip: '198.18.0.2' }]));
  assert.throws(() => renderEntryConfig('minimal', 8480, [{ zone: 'par-1', namespace: 'ns x', ip: '198.18.0.2' }]));
  assert.throws(() => renderEntryConfig('minimal', 8480, [{ zone: 'par-1', namespace: 'ap1a2b-e11', ip: '198.18.0.2 check' }]));
  assert.throws(() => renderEntryConfig('minimal', 0, edges));
});

test('parsePort: unset, valid, invalid', () => {
  assert.equal(parsePort(undefined), undefined);
  assert.equal(parsePort(''), undefined);
  assert.equal(parsePort('9000'), 9000);
  assert.throws(() => parsePort('70000'), /not a port/);
  assert.throws(() => parsePort('abc'), /not a port/);
});

test('planProxies: create, keep, reload on a changed hash, delete what is gone', () => {
  const rec = (address: string, text: string): ProxyRecord => ({ address, cfg: `/s/${address}.cfg`, service: `/s/${address}/sv`, hash: hashOf(text) });
  const plan = planProxies([rec('edge/par-1', 'a'), rec('edge/par-3', 'c'), rec('entry', 'e')], [rec('edge/par-1', 'a'), rec('edge/par-2', 'b'), rec('entry', 'e2')]);
  assert.deepEqual(
    plan.map((p) => [p.address, p.action]),
    [
      ['edge/par-1', 'keep'],
      ['edge/par-2', 'create'],
      ['edge/par-3', 'delete'],
      ['entry', 'update'],
    ],
  );
});
