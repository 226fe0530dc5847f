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
      async ({ estate }) => void ran.push(estate),
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
  assert.deepEqual(ran, ['unitdm', 'after the failing hook']);
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
