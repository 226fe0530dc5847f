/**
 * End-to-end (root): the probe on minimal.yaml brought up under the estate name `e2eprobe` (network layer
 * only: the probe's stand-ins listen on the declared ports). Exact matrix -> exit 0; a listener on an
 * undeclared port behind a hole punched in a zone firewall -> exit 1 naming that path; `up` again (atomic
 * firewall replace) -> exact again; a flow added to the file and re-up -> the probe sees the new matrix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readNetworkState } from '../../src/runtime/local/network/state.ts';
import { cli, estateNamespaces, estateUnderTest, isRoot, listen, nsenter } from './helpers.ts';

const MINIMAL = new URL('../../examples/minimal.yaml', import.meta.url).pathname;
const ESTATE = 'e2eprobe';

test('probe: exact matrix, a hole found and named, a new flow seen', { skip: isRoot() ? false : 'needs root (network namespaces, nftables)' }, async (t) => {
  const { file, env, killers } = await estateUnderTest(t, MINIMAL, ESTATE, { layers: 'network' });
  const yaml = await readFile(file, 'utf8');

  const up = await cli(['up', file], env);
  assert.equal(up.code, 0, up.stderr);
  const exact = await cli(['probe', file, '--format', 'json'], env);
  assert.equal(exact.code, 0, exact.stdout + exact.stderr);
  const report = JSON.parse(exact.stdout);
  assert.equal(report.summary.differences, 0);
  assert.ok(report.summary.declared > 0 && report.summary.open === report.summary.declared, 'every declared attempt reached');
  assert.ok(report.summary.filtered > 0, 'undeclared attempts are filtered');

  // An undeclared listener (api, port 9999) behind a correct firewall: found, filtered, no difference.
  const state = (await readNetworkState(join(env.ARCHIPEL_STATE_DIR, ESTATE)))!;
  const api = state.namespaces.find((n) => n.address === 'app/api/par-1/0')!;
  const router = state.namespaces.find((n) => n.address === 'zone/par-1')!;
  const server = await listen(api.name, 9999);
  killers.push(() => server.kill('SIGKILL'));
  const behind = await cli(['probe', file, '--format', 'json'], env);
  assert.equal(behind.code, 0, behind.stdout);
  assert.ok(JSON.parse(behind.stdout).listeners['app/api/par-1/0'].includes('9999/tcp'));
  assert.deepEqual(JSON.parse(behind.stdout).undeclaredListeners, [{ instance: 'app/api/par-1/0', port: '9999/tcp' }]);
  const behindText = await cli(['probe', file], env);
  assert.equal(behindText.code, 0, behindText.stdout);
  assert.match(behindText.stdout, /UNDECLARED LISTENER app\/api\/par-1\/0 9999\/tcp/);

  // A hole in the zone firewall: the undeclared path is reached, reported, exit 1.
  await nsenter(router.name, ['nft', 'insert', 'rule', 'inet', 'archipel', 'forward', 'ip', 'daddr', api.ip!, 'tcp', 'dport', '9999', 'accept']);
  const hole = await cli(['probe', file], env);
  assert.equal(hole.code, 1, hole.stdout);
  assert.match(hole.stdout, /UNEXPECTED OPEN\s+app\/web\/par-1\/0 -> app\/api\/par-1\/0 \S+:9999\/tcp/);

  // up reloads the firewall atomically: the hole is gone, the matrix exact again.
  assert.equal((await cli(['up', file], env)).code, 0);
  assert.equal((await cli(['probe', file], env)).code, 0);

  // A flow added to the file: before re-up the probe reports it closed; after, exact with one more path.
  const added = yaml
    .replace('flows: [{ to: api }]\n  api:\n', 'flows: [{ to: api }, { to: api, port: 9999 }]\n  api:\n    ports: [{ name: admin, port: 9999 }]\n');
  assert.notEqual(added, yaml);
  await writeFile(file, added);
  const before = await cli(['probe', file], env);
  assert.equal(before.code, 1, before.stdout);
  assert.match(before.stdout, /UNEXPECTED CLOSED\s+app\/web\/par-1\/0 -> app\/api\/par-1\/0 \S+:9999\/tcp/);
  assert.equal((await cli(['up', file], env)).code, 0);
  const after = await cli(['probe', file, '--format', 'json'], env);
  assert.equal(after.code, 0, after.stdout);
  assert.ok(JSON.parse(after.stdout).summary.declared > report.summary.declared);

  server.kill('SIGKILL');
  assert.equal((await cli(['down', file], env)).code, 0);
  assert.deepEqual(await estateNamespaces(ESTATE), []);
});
