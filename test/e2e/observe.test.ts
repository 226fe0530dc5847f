/**
 * End-to-end (root): observe mode and `flows suggest` / `flows denied` on the mid-size estate (renamed
 * e2eobs, network layer only), with one application (search) in observe mode. Traffic the estate does not
 * declare from the observed application is let through and suggested as a flow to paste; the same kind of
 * traffic from an enforced application is refused (admin-prohibited) and listed as denied. The probe of
 * the whole mid-size matrix stays exact (observed paths are counted apart, not as differences).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readNetworkState } from '../../src/runtime/local/network/state.ts';
import { cli, connect, estateNamespaces, estateUnderTest, isRoot, listen } from './helpers.ts';

const MID = new URL('./fixtures/network-mid.yaml', import.meta.url).pathname;
const ESTATE = 'e2eobs';

test('observe mode: undeclared traffic let through and suggested; enforced traffic denied and listed; probe exact', { skip: isRoot() ? false : 'needs root (network namespaces, nftables)' }, async (t) => {
  const { file, env, killers } = await estateUnderTest(t, MID, ESTATE, {
    layers: 'network',
    edit: (yaml) => yaml.replace(/^ {2}search:$/m, '  search:\n    observe: true'),
  });
  assert.match(await readFile(file, 'utf8'), /search:\n {4}observe: true/);

  const up = await cli(['up', file], env);
  assert.equal(up.code, 0, up.stderr);
  const state = (await readNetworkState(join(env.ARCHIPEL_STATE_DIR, ESTATE)))!;
  const ns = (address: string) => state.namespaces.find((n) => n.address === address)!;
  const mail = ns('app/mail/par-1/0');
  const search = ns('app/search/par-1/0');
  const portal = ns('app/portal/par-1/0');
  const server = await listen(mail.name, 2525);
  killers.push(() => server.kill('SIGKILL'));

  // search -> mail:2525 is not declared; search is in observe mode: let through, recorded.
  assert.equal(await connect(search.name, mail.ip!, 2525), 'open');
  // portal -> mail:2525 is not declared either; portal is enforced: refused by the firewall.
  assert.equal(await connect(portal.name, mail.ip!, 2525), 'filtered');

  const suggest = await cli(['flows', 'suggest', file], env);
  assert.equal(suggest.code, 0, suggest.stderr);
  assert.match(suggest.stdout, /search:[\s\S]*to: mail[\s\S]*2525/, suggest.stdout);
  assert.doesNotMatch(suggest.stdout, /to: db\/main/, 'declared flows are never suggested');

  const denied = await cli(['flows', 'denied', file, '--format', 'json'], env);
  assert.equal(denied.code, 0, denied.stderr);
  const text = denied.stdout;
  assert.ok(text.includes(portal.ip!) && text.includes(mail.ip!) && text.includes('2525'), text);

  const probe = await cli(['probe', file, '--format', 'json'], env);
  assert.equal(probe.code, 0, probe.stdout + probe.stderr);
  const report = JSON.parse(probe.stdout);
  assert.equal(report.summary.differences, 0);
  assert.ok(report.summary.declared > 40, `the mid-size matrix is probed (${report.summary.declared} declared attempts)`);

  assert.equal((await cli(['down', file], env)).code, 0);
  assert.deepEqual(await estateNamespaces(ESTATE), []);
});
