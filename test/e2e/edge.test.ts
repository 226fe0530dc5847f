/**
 * End to end (root): the edge layer on minimal.yaml (renamed e2eedge) over the real network, secrets and
 * compute layers. Through the host entry point (127.0.0.1, Host: web.minimal.example) a web instance answers
 * its name; requests reach the web instances of both zones; a second up with nothing changed keeps the
 * processes, a changed config reloads the same masters; with every haproxy of par-1's edge killed -9 the entry
 * point still answers (through par-2's edge) and runsv restarts the edge; down leaves no haproxy, no runsv
 * and (with the network layer) no namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseEstateText } from '../../src/pipeline.ts';
import { networkLayer } from '../../src/runtime/local/network/layer.ts';
import { secretsLayer } from '../../src/runtime/local/secrets/layer.ts';
import { computeLayer } from '../../src/runtime/local/compute/layer.ts';
import { edgeDir, edgeLayer, findProxies, findSupervisors } from '../../src/runtime/local/edge/layer.ts';
import { estateNamespaces, isRoot, sweep } from './helpers.ts';

const ESTATE = 'e2eedge';
const HOST = 'web.minimal.example';

function get(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      server.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls until the entry point answers `host` with 200 (edges and instances need a check or two). */
async function waitAnswer(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await get(port, HOST).catch(() => undefined);
    if (r?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the entry point never answered 200');
}

test('edge layer: entry point on loopback, both zones served, survives losing one edge, down leaves nothing', { skip: isRoot() ? false : 'needs root (namespaces, haproxy in namespaces)' }, async (t) => {
  const text = (await readFile('examples/minimal.yaml', 'utf8')).replace(/^estate: minimal$/m, `estate: ${ESTATE}`);
  const analysis = analyseEstateText(text, 'minimal.yaml');
  assert.ok(analysis.compiled, JSON.stringify(analysis.diagnostics));
  const compiled = analysis.compiled;
  const stateRoot = await mkdtemp(join(tmpdir(), 'archipel-e2eedge-'));
  const stateDir = join(stateRoot, ESTATE);
  const log = (m: string) => t.diagnostic(m);
  const ctx = { compiled, stateDir, log };
  const port = await freePort();
  const previousPort = process.env.ARCHIPEL_ENTRY_PORT;
  process.env.ARCHIPEL_ENTRY_PORT = String(port);
  t.after(async () => {
    if (previousPort === undefined) delete process.env.ARCHIPEL_ENTRY_PORT;
    else process.env.ARCHIPEL_ENTRY_PORT = previousPort;
    await edgeLayer.down({ stateDir, estate: ESTATE, log }).catch(() => undefined);
    await computeLayer.down({ stateDir, estate: ESTATE, log }).catch(() => undefined);
    await secretsLayer.down({ stateDir, estate: ESTATE, log }).catch(() => undefined);
    await networkLayer.down({ stateDir, estate: ESTATE, log }).catch(() => undefined);
    await sweep(ESTATE);
    await rm(stateRoot, { recursive: true, force: true });
  });

  assert.deepEqual(await edgeLayer.preconditions(), []);
  await networkLayer.up(ctx);
  await secretsLayer.up(ctx);
  await computeLayer.up(ctx);
  const started = Date.now();
  await edgeLayer.up(ctx);
  t.diagnostic(`edge up (validate 3 configs, start 3 haproxy): ${Date.now() - started} ms`);
  await waitAnswer(port);
  t.diagnostic(`edge up + first 200 through the entry point: ${Date.now() - started} ms`);

  // One request: a web instance's name. Then several: both zones' instances answer.
  const one = await get(port, HOST);
  assert.equal(one.status, 200);
  assert.match(one.body, /^app\/web\/par-[12]\/0\n$/);
  const t0 = process.hrtime.bigint();
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const r = await get(port, HOST);
    assert.equal(r.status, 200);
    seen.add(r.body.trim());
  }
  t.diagnostic(`mean latency of one request through entry + edge: ${(Number(process.hrtime.bigint() - t0) / 20 / 1e6).toFixed(2)} ms`);
  assert.deepEqual([...seen].sort(), ['app/web/par-1/0', 'app/web/par-2/0']);
  assert.equal((await get(port, 'nobody.example')).status, 404, 'an unknown host is answered by the edge, not routed');

  // Converge: nothing changed -> the same masters keep running.
  const dir = edgeDir(stateDir);
  const before = (await findProxies(dir)).map((p) => p.pid).sort();
  assert.deepEqual((await edgeLayer.plan(ctx)).map((a) => `${a.address} ${a.action}`), ['edge/par-1 keep', 'edge/par-2 keep', 'entry keep']);
  await edgeLayer.up(ctx);
  assert.deepEqual((await findProxies(dir)).map((p) => p.pid).sort(), before);

  // A changed configuration (another rate limit) is a reload of the same masters, not a restart.
  const masters = async () => {
    const out: number[] = [];
    for (const name of ['par-1', 'par-2', 'entry']) out.push(Number((await readFile(join(dir, name, 'sv', 'supervise', 'pid'), 'utf8')).trim().split('\n')[0]));
    return out;
  };
  const mastersBefore = await masters();
  const changed = { ...compiled, frontends: compiled.frontends.map((f) => ({ ...f, policy: { ...f.policy, rateLimit: { requests: 500, perSeconds: 10 } } })) };
  await edgeLayer.up({ ...ctx, compiled: changed });
  assert.deepEqual(await masters(), mastersBefore);
  assert.match(await readFile(join(dir, 'par-1', 'haproxy.cfg'), 'utf8'), /gt 500 \}/);
  await waitAnswer(port);

  // Lose par-1's edge (master and workers, -9): the entry point keeps answering through par-2.
  const par1 = (await findProxies(dir)).filter((p) => p.cfg === join(dir, 'par-1', 'haproxy.cfg'));
  assert.ok(par1.length >= 2, 'a master and at least one worker');
  const killed = Date.now();
  for (const p of par1) process.kill(p.pid, 'SIGKILL');
  for (let i = 0; i < 10; i++) {
    const r = await get(port, HOST);
    assert.equal(r.status, 200, `request ${i} after losing par-1 edge: ${r.body}`);
  }
  // runsv restarts the lost edge by itself (within about a second); up then keeps it.
  let back = false;
  for (let i = 0; i < 100 && !back; i++) {
    back = (await findProxies(dir)).some((p) => p.cfg === join(dir, 'par-1', 'haproxy.cfg') && !par1.some((q) => q.pid === p.pid));
    if (!back) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(back, "par-1's edge restarted by its supervisor");
  t.diagnostic(`par-1's edge back under runsv ${Date.now() - killed} ms after kill -9 (10 requests served meanwhile)`);
  await edgeLayer.up({ ...ctx, compiled: changed });
  assert.equal((await findSupervisors(dir)).length, 3);
  // A supervisor killed -9 (its haproxy orphaned): up puts the proxy back under a new runsv.
  const entrySv = join(dir, 'entry', 'sv');
  const lost = (await findSupervisors(dir)).find((p) => p.sv === entrySv)!;
  process.kill(lost.pid, 'SIGKILL');
  await edgeLayer.up({ ...ctx, compiled: changed });
  const supervisors = await findSupervisors(dir);
  assert.equal(supervisors.length, 3);
  assert.ok(supervisors.some((p) => p.sv === entrySv && p.pid !== lost.pid));
  assert.equal((await findProxies(dir)).filter((p) => p.cfg === join(dir, 'entry', 'haproxy.cfg')).length >= 2, true);
  await waitAnswer(port);

  await edgeLayer.down({ stateDir, estate: ESTATE, log });
  assert.deepEqual(await findProxies(dir), []);
  assert.deepEqual(await findSupervisors(dir), []);
  await assert.rejects(stat(dir));
  await computeLayer.down({ stateDir, estate: ESTATE, log });
  await secretsLayer.down({ stateDir, estate: ESTATE, log });
  await networkLayer.down({ stateDir, estate: ESTATE, log });
  assert.deepEqual(await estateNamespaces(ESTATE), []);
});
