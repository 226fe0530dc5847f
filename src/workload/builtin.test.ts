import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCommand, builtinDocumentRoot } from './builtin.ts';

test('the document root names the instance and answers ok on the health path', () => {
  assert.deepEqual(builtinDocumentRoot({ address: 'app/web/par-1/0', app: 'web' }, '/healthz'), [
    { path: 'healthz', content: 'ok\n' },
    { path: 'index.html', content: 'app/web/par-1/0\n' },
  ]);
});

test('a nested or directory health path becomes nested files', () => {
  assert.deepEqual(builtinDocumentRoot({ address: 'app/a/z/1', app: 'a' }, '/health/live').map((f) => f.path), ['health/live', 'index.html']);
  assert.deepEqual(builtinDocumentRoot({ address: 'app/a/z/1', app: 'a' }, '/status/').map((f) => f.path), ['index.html', 'status/index.html']);
  assert.deepEqual(builtinDocumentRoot({ address: 'app/a/z/1', app: 'a' }).map((f) => f.path), ['index.html']);
});

test('a health path escaping the document root is refused', () => {
  assert.throws(() => builtinDocumentRoot({ address: 'app/a/z/1', app: 'a' }, '/../etc/passwd'), /invalid segment/);
  assert.throws(() => builtinDocumentRoot({ address: 'app/a/z/1', app: 'a' }, '/a//b'), /invalid segment/);
});

test('the command is busybox httpd in the foreground on the instance address', () => {
  assert.deepEqual(builtinCommand('198.18.1.2', 8080), ['/usr/bin/busybox', 'httpd', '-f', '-p', '198.18.1.2:8080', '-h', '/www']);
  assert.throws(() => builtinCommand('198.18.1.2; rm', 8080), /invalid IPv4/);
  assert.throws(() => builtinCommand('198.18.1.2', 0), /invalid port/);
});
