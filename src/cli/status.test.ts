import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemonServer } from '../runtime/local/daemon/server.ts';
import { formatStatus, type StatusReport } from './status.ts';
import { main } from './main.ts';
import type { Io } from './command.ts';

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const root = await mkdtemp(join(tmpdir(), 'archipel-status-cli-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (s) => out.push(s), err: (s) => err.push(s), cwd: root, env: { ARCHIPEL_STATE_DIR: root } };
  return { io, out, err, stateDir: join(root, 'unitss') };
}

test('status of an estate that is not up says so and exits 1', async (t) => {
  const { io, out } = await setup(t);
  assert.equal(await main(['status', '--estate', 'unitss'], io), 1);
  assert.match(out.join(''), /^estate unitss: NOT UP\nsource: state files \(no daemon running\)\n\nproblems:\n {2}- estate unitss is not up/);
  out.length = 0;
  assert.equal(await main(['status', '--estate', 'unitss', '--format', 'json'], io), 1);
  const json = JSON.parse(out.join(''));
  assert.equal(json.up, false);
  assert.equal(json.source, 'state-files');
});

test('status asks the daemon when one answers, and reports a missing namespace as a problem (exit 1)', async (t) => {
  const { io, out, stateDir } = await setup(t);
  await mkdir(stateDir, { recursive: true });
  const namespaces = [{ name: 'apunit-gone1', role: 'instance', zone: 'par-1', address: 'app/web/par-1/0', ip: '198.18.0.66' }];
  await writeFile(join(stateDir, 'network.json'), JSON.stringify({ estate: 'unitss', namespaces, links: [] }));
  const daemon = await startDaemonServer({ stateDir, estate: 'unitss', socketPath: join(stateDir, 'daemon.sock'), checkIntervalMs: 0 });
  t.after(() => daemon.close());
  assert.equal(await main(['status', '--estate', 'unitss', '--format', 'json'], io), 1);
  const json = JSON.parse(out.join(''));
  assert.equal(json.source, 'daemon');
  assert.equal(json.daemon.pid, process.pid);
  assert.deepEqual(json.problems, ['app/web/par-1/0: namespace apunit-gone1 is missing']);
  out.length = 0;
  assert.equal(await main(['status', '--estate', 'unitss', '--fresh'], io), 1);
  assert.match(out.join(''), /^source: daemon \(pid \d+, running since .*; collected .*\)$/m);
  await daemon.close();
  // A socket left behind with nothing listening: fall back to the files and say why.
  await writeFile(join(stateDir, 'daemon.sock'), '');
  out.length = 0;
  assert.equal(await main(['status', '--estate', 'unitss', '--format', 'json'], io), 1);
  const fallback = JSON.parse(out.join(''));
  assert.equal(fallback.source, 'state-files');
  assert.match(fallback.daemonNote, /^daemon not answering/);
});

test('the human status lists zones, counters, applications, instances and problems', () => {
  const status: StatusReport = {
    estate: 'minimal',
    source: 'daemon',
    up: true,
    healthy: false,
    problems: ['app/api/par-2/0: crash-loop'],
    zones: [{ zone: 'par-1', router: 'ap1a2b-r1234567', present: true, counters: { declared: { packets: 12, bytes: 900 }, denied: { packets: 3, bytes: 180 } }, deniedFlows: 2 }],
    applications: [{ owner: 'app/api', instances: 2, present: 2, healthy: 1 }],
    instances: [
      { address: 'app/api/par-1/0', owner: 'app/api', zone: 'par-1', namespace: 'ap1a2b-i0000001', ip: '198.18.0.66', present: true, pid: 4242, health: 'healthy', restarts: 0 },
      { address: 'app/api/par-2/0', owner: 'app/api', zone: 'par-2', namespace: 'ap1a2b-i0000002', ip: '198.18.0.98', present: true, pid: 4343, health: 'crash-loop', restarts: 6 },
    ],
    infrastructure: [{ address: 'edge/par-1', namespace: 'ap1a2b-e0000001', role: 'edge', present: true }],
    compute: true,
    daemon: { pid: 99, startedAt: '2026-01-01T00:00:00.000Z' },
  };
  assert.equal(
    formatStatus(status),
    `estate minimal: up, 1 problem
source: daemon (pid 99, running since 2026-01-01T00:00:00.000Z)

zones:
  par-1  router ap1a2b-r1234567  packets: declared 12, denied 3; denied flows 2

applications:
  app/api  2 instances, 2 present, 1 healthy

instances:
  ADDRESS          NAMESPACE        IP           PRESENT  PID   HEALTH      RESTARTS
  app/api/par-1/0  ap1a2b-i0000001  198.18.0.66  yes      4242  healthy     0
  app/api/par-2/0  ap1a2b-i0000002  198.18.0.98  yes      4343  crash-loop  6

edges and witness:
  edge/par-1  ap1a2b-e0000001  present

problems:
  - app/api/par-2/0: crash-loop
`,
  );
});

test('status takes the estate FILE: warnings stay quiet, an unreadable file exits 2', async (t) => {
  const { io, out, err } = await setup(t);
  const minimal = new URL('../../examples/minimal.yaml', import.meta.url).pathname;
  assert.equal(await main(['status', minimal], io), 1);
  assert.match(out.join(''), /^estate minimal: NOT UP\n/);
  assert.equal(err.join(''), '');
  assert.equal(await main(['status', `${minimal}.missing`], io), 2);
  assert.match(err.join(''), /E_FILE: cannot read the estate file/);
  assert.equal(await main(['status', minimal, 'extra'], io), 2);
  assert.match(err.join(''), /unexpected argument "extra"/);
});
