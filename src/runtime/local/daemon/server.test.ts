import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestDaemon } from './control.ts';
import { startDaemonServer } from './server.ts';

test('the API answers /health and /status on a 0600 socket, refuses other paths and methods, runs hooks', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'archipel-daemon-'));
  t.after(() => rm(stateDir, { recursive: true, force: true }));
  const ran: string[] = [];
  const logged: string[] = [];
  const daemon = await startDaemonServer({
    stateDir,
    estate: 'unitdm',
    socketPath: join(stateDir, 'daemon.sock'),
    checkIntervalMs: 0,
    now: () => new Date('2026-03-04T05:06:07.000Z'),
    log: (line) => logged.push(line),
    checks: [
      async ({ estate, status }) => void ran.push(`${estate} up=${status.up}`),
      async () => {
        throw new Error('probe exploded');
      },
      async () => void ran.push('after the failing hook'),
    ],
    statusDeps: { readNetwork: async () => undefined },
  });
  t.after(() => daemon.close());
  assert.equal((await stat(join(stateDir, 'daemon.sock'))).mode & 0o777, 0o600);

  const health = await requestDaemon<Record<string, unknown>>(stateDir, '/health');
  assert.deepEqual(health, { ok: true, estate: 'unitdm', pid: process.pid, startedAt: '2026-03-04T05:06:07.000Z' });

  await daemon.runChecks();
  assert.deepEqual(ran, ['unitdm up=false', 'after the failing hook']);
  assert.deepEqual(logged, ['check failed: probe exploded']);
  assert.equal((await requestDaemon<{ lastCheckAt: string }>(stateDir, '/health')).lastCheckAt, '2026-03-04T05:06:07.000Z');

  const status = await requestDaemon<{ source: string; up: boolean; daemon: { pid: number } }>(stateDir, '/status');
  assert.equal(status.source, 'daemon');
  assert.equal(status.up, false);
  assert.equal(status.daemon.pid, process.pid);

  await assert.rejects(requestDaemon(stateDir, '/nope'), /404: .*valid paths: \/health, \/status/);
  await daemon.close();
  await assert.rejects(stat(join(stateDir, 'daemon.sock')), { code: 'ENOENT' });
  await assert.rejects(requestDaemon(stateDir, '/health', 500));
});

test('GET /status answers from the last round while recent, collects on ?fresh=1, and shares one collection', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'archipel-daemon-'));
  t.after(() => rm(stateDir, { recursive: true, force: true }));
  let collections = 0;
  let release: () => void = () => undefined;
  let gate = Promise.resolve();
  const daemon = await startDaemonServer({
    stateDir,
    estate: 'unitdc',
    socketPath: join(stateDir, 'daemon.sock'),
    checkIntervalMs: 0,
    maxStatusAgeMs: 60_000,
    statusDeps: {
      readNetwork: async () => {
        collections += 1;
        await gate;
        return undefined;
      },
    },
  });
  t.after(() => daemon.close());
  await daemon.runChecks();
  assert.equal(collections, 1);
  const cached = await requestDaemon<{ collectedAt: string }>(stateDir, '/status');
  assert.equal(collections, 1, 'a recent round answers without collecting again');
  assert.ok(cached.collectedAt);
  await requestDaemon(stateDir, '/status?fresh=1');
  assert.equal(collections, 2);
  gate = new Promise((resolve) => (release = resolve));
  let received = 0;
  daemon.server.on('request', () => (received += 1));
  const both = Promise.all([requestDaemon(stateDir, '/status?fresh=1'), requestDaemon(stateDir, '/status?fresh=1')]);
  // Release the collection only once both requests are in, however slow the machine is.
  while (received < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setImmediate(resolve));
  release();
  await both;
  assert.equal(collections, 3, 'two concurrent requests, one collection');
});
