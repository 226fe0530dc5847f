import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.ts';
import type { Io } from './command.ts';
import { writeArtefacts } from './plan.ts';
import { renderArtefacts } from '../render/index.ts';

function capture(cwd = process.cwd()): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), cwd, env: {}, stdout: () => out, stderr: () => err };
}

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'archipel-plan-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('summarises the minimal estate on stdout, exit 0', async () => {
  const io = capture();
  assert.equal(await main(['plan', 'examples/minimal.yaml'], io), 0);
  const out = io.stdout();
  assert.match(out, /^estate minimal: zones par-1, par-2, witness par-3; pool 198\.18\.0\.0\/15, \/26 per network$/m);
  assert.match(out, /^ {2}important {4}2 {2}\(rto 1h, rpo 15m\) {2}api, web$/m);
  assert.match(out, /^private networks: 4 \(3 applications, 1 database, 0 caches, 0 buckets\); 8 instances$/m);
  assert.match(out, /^flows: 15 \(declared 4, data 0, edge 2, replication 2, quorum 6, backup 1\)$/m);
  assert.match(out, /^ {2}total {5}2 appliances = 4 units \(HA pairs\), cost 30,000, 0 flows crossing appliances$/m);
  assert.match(out, /^ {2}at 8 {6}2 appliances/m, 'compared with the other classic limit');
  assert.match(out, /web\.minimal\.example -> app\/web:8080, 2 backends; public; 100 req\/10s/);
  assert.match(out, /db\/main +postgres primary par-1, synchronous, 2 members, 3 voters, 2 clients/);
  assert.match(out, /vault +every 1d +keeps 360d, immutable/);
  assert.equal(io.stderr(), '', 'a clean estate prints no diagnostics');
});

test('warnings go to stderr and do not stop the plan', async () => {
  const io = capture();
  assert.equal(await main(['plan', 'fixtures/warnings/01-loose-ends.yaml'], io), 0);
  assert.match(io.stderr(), /warning W_DUPLICATE_FLOW/);
  assert.match(io.stdout(), /^estate /m);
});

test('--firewall-limit overrides the estate and drops the comparison', async () => {
  const io = capture();
  assert.equal(await main(['plan', 'examples/region.yaml', '--firewall-limit', '8'], io), 0);
  assert.match(io.stdout(), /^firewalls: at most 8 private networks per appliance/m);
  assert.doesNotMatch(io.stdout(), /^ {2}at /m);
  const json = capture();
  assert.equal(await main(['plan', 'examples/region.yaml', '--firewall-limit', '8', '--format', 'json'], json), 0);
  const estate = JSON.parse(json.stdout());
  assert.equal(estate.firewalls.privateNetworksPerFirewall, 8);
  assert.equal(estate.firewalls.units, 2 * 2 * Math.ceil(estate.networks.length / 8));
});

test('bad limits, formats and missing files are usage errors (exit 2) with the valid values', async () => {
  for (const [args, pattern] of [
    [['plan', 'examples/minimal.yaml', '--firewall-limit', '0'], /--firewall-limit must be an integer from 1 to 1000/],
    [['plan', 'examples/minimal.yaml', '--firewall-limit', 'x'], /--firewall-limit must be an integer/],
    [['plan', 'examples/minimal.yaml', '--format', 'yaml'], /valid values: text, json/],
    [['plan'], /missing FILE/],
    [['plan', 'examples/minimal.yaml', '--frobnicate'], /valid options: --out, --firewall-limit, --format/],
  ] as const) {
    const io = capture();
    assert.equal(await main([...args], io), 2, args.join(' '));
    assert.match(io.stderr(), pattern);
    assert.equal(io.stdout(), '');
  }
});

test('an estate with errors: diagnostics with positions on stderr, nothing on stdout, exit 2', async (t) => {
  const dir = await tempDir(t);
  const source = (await readFile('examples/minimal.yaml', 'utf8')).replace('estate: minimal', 'estate: minimal\naddressPool: 198.18.0.0/26');
  await writeFile(join(dir, 'small.yaml'), source);
  const io = capture(dir);
  assert.equal(await main(['plan', 'small.yaml'], io), 2);
  assert.match(io.stderr(), /small\.yaml:\d+:\d+: error E_POOL_TOO_SMALL/);
  assert.equal(io.stdout(), '');
});

test('--format json prints the compiled estate with sorted keys, identical on every run', async () => {
  const a = capture();
  const b = capture();
  assert.equal(await main(['plan', 'examples/minimal.yaml', '--format', 'json'], a), 0);
  assert.equal(await main(['plan', 'examples/minimal.yaml', '--format', 'json'], b), 0);
  assert.equal(a.stdout(), b.stdout());
  const estate = JSON.parse(a.stdout());
  assert.equal(estate.estate, 'minimal');
  assert.deepEqual(Object.keys(estate), [...Object.keys(estate)].sort());
  assert.equal(estate.networks.length, 4);
});

test('--out writes every artefact under DIR, one stderr line per file, same bytes as plan.json', async (t) => {
  const dir = await tempDir(t);
  const io = capture(dir);
  assert.equal(await main(['plan', join(process.cwd(), 'examples/minimal.yaml'), '--out', 'artefacts', '--format', 'json'], io), 0);
  const wrote = io.stderr().split('\n').filter((l) => l.startsWith('wrote '));
  assert.ok(wrote.length > 3);
  assert.ok(wrote.includes(`wrote ${join('artefacts', 'plan.json')}`));
  const planJson = await readFile(join(dir, 'artefacts', 'plan.json'), 'utf8');
  assert.equal(planJson, io.stdout());
  for (const line of wrote) {
    const path = line.slice('wrote '.length);
    assert.ok((await readFile(join(dir, path), 'utf8')).length > 0, path);
  }
  const leftovers = (await readdir(join(dir, 'artefacts'), { recursive: true })).filter((f) => String(f).includes('.tmp-'));
  assert.deepEqual(leftovers, []);
});

test('writeArtefacts refuses paths that escape DIR, before writing anything', async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, 'out');
  await mkdir(out);
  for (const path of ['../escape.txt', '/etc/archipel-test', 'a/../../escape.txt', '']) {
    await assert.rejects(writeArtefacts(out, [{ path: 'ok.txt', content: 'x' }, { path, content: 'y' }]), /refusing to write an artefact outside/);
  }
  assert.deepEqual(await readdir(out), []);
  assert.deepEqual(await readdir(dir), ['out']);
  assert.deepEqual(await writeArtefacts(out, [{ path: 'nft/par-1.nft', content: 'table' }]), ['nft/par-1.nft']);
  assert.equal(await readFile(join(out, 'nft', 'par-1.nft'), 'utf8'), 'table');
});

test('the artefacts written are exactly the renderer output', async (t) => {
  const dir = await tempDir(t);
  const io = capture(dir);
  assert.equal(await main(['plan', join(process.cwd(), 'examples/minimal.yaml'), '--out', '.', '--format', 'json'], io), 0);
  const expected = renderArtefacts(JSON.parse(io.stdout()));
  for (const a of expected) assert.equal(await readFile(join(dir, a.path), 'utf8'), a.content, a.path);
});

test('a bare estate: three zones, no witness, no cost, no backups said plainly', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'tiny.yaml'), 'estate: tiny\nzones: [a-1, b-1, c-1]\napplications:\n  solo: { health: { tcp: true } }\n');
  const io = capture(dir);
  assert.equal(await main(['plan', 'tiny.yaml'], io), 0);
  const out = io.stdout();
  assert.match(out, /^estate tiny: zones a-1, b-1, c-1; pool/m);
  assert.match(out, /^ {2}a-1 {7}1 appliance \(1 network\)$/m);
  assert.match(out, /^ {2}total {5}3 appliances = 6 units \(HA pairs\), 0 flows crossing appliances$/m);
  assert.match(out, /^backups: none declared: nothing is backed up$/m);
  assert.match(out, /3 instances/);
});
