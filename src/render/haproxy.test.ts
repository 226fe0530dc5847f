import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FD_LIMIT, edgeMaxConnections, renderEdgeConfig, renderHaproxy } from './haproxy.ts';
import { regionEstate, smallEstate } from './testing-fixture.ts';
import { checkWith, unavailable } from './tool-check.ts';

function section(text: string, header: string): string {
  const start = text.indexOf(`${header}\n`);
  assert.ok(start >= 0, `no section ${header}`);
  const end = text.indexOf('\n\n', start);
  return text.slice(start, end < 0 ? undefined : end);
}

test('the defaults retry elsewhere and the frontend routes by Host header', () => {
  const text = renderEdgeConfig(smallEstate(), 'par-1');
  const defaults = section(text, 'defaults');
  for (const line of ['mode http', 'option redispatch', 'retries 2', 'timeout connect 1s']) assert.ok(defaults.includes(`  ${line}\n`), line);
  const frontend = section(text, 'frontend edge');
  assert.match(frontend, /bind :80\n/);
  assert.match(frontend, /acl host_app_web var\(txn\.host\) -m str web\.minimal\.example\n/);
  assert.match(frontend, /use_backend app_web if host_app_web\n/);
  assert.match(frontend, /default_backend unknown_host/);
});

test('a backend lists the instances of every zone with fast health checks', () => {
  const web = section(renderEdgeConfig(smallEstate(), 'par-2'), 'backend app_web');
  assert.match(web, /option httpchk GET \/healthz\n/);
  assert.match(web, /default-server inter 500ms fall 2 rise 1\n/);
  assert.match(web, /server par-1_0 198\.18\.0\.130:8080 check\n\s+server par-2_0 198\.18\.0\.162:8080 check/);
});

test('an application checked less often than every 500 ms is still checked every 500 ms by the edges', () => {
  const estate = smallEstate();
  const slow = { ...estate, frontends: estate.frontends.map((f) => ({ ...f, health: { ...f.health, intervalMs: 5000 } })) };
  const fast = { ...estate, frontends: estate.frontends.map((f) => ({ ...f, health: { ...f.health, intervalMs: 200 } })) };
  assert.match(section(renderEdgeConfig(slow, 'par-1'), 'backend app_web'), /default-server inter 500ms fall 2 rise 1\n/);
  assert.match(section(renderEdgeConfig(fast, 'par-1'), 'backend app_web'), /default-server inter 200ms fall 2 rise 1\n/);
});

test('rate limits become a stick-table, sources an acl on src', () => {
  const text = renderEdgeConfig(smallEstate(), 'par-1');
  const web = section(text, 'backend app_web');
  assert.match(web, /stick-table type ip size 100k expire 10s store http_req_rate\(10s\)\n\s+http-request track-sc0 src\n\s+http-request deny deny_status 429 if \{ sc_http_req_rate\(0\) gt 100 \}/);
  assert.doesNotMatch(web, /allowed_sources/);
  // A public frontend limited to source networks (the fixture's video frontend made public).
  const estate = smallEstate();
  const videoFrontend = estate.frontends.find((f) => f.app === 'app/video')!;
  videoFrontend.policy = { ...videoFrontend.policy, public: true, groups: [], device: 'any', mfa: false };
  const video = section(renderEdgeConfig(estate, 'par-1'), 'backend app_video');
  assert.match(video, /acl allowed_sources src 198\.51\.100\.0\/24 203\.0\.113\.0\/24\n\s+http-request deny deny_status 403 if !allowed_sources/);
  assert.doesNotMatch(video, /stick-table/);
});

test('a restricted frontend fails closed until identity checks exist at the edge', () => {
  const video = section(renderEdgeConfig(smallEstate(), 'par-1'), 'backend app_video');
  assert.match(video, /http-request return status 403 content-type text\/plain string "archipel: access to this application needs identity checks/);
  assert.doesNotMatch(video, /allowed_sources|track-sc0/, 'rules after a final refusal would be dead');
  const web = section(renderEdgeConfig(smallEstate(), 'par-1'), 'backend app_web');
  assert.doesNotMatch(web, /http-request return status 403/, 'public frontends are served');
});

test('metrics are served on a separate port', () => {
  const stats = section(renderEdgeConfig(smallEstate(), 'par-1'), 'frontend stats');
  assert.match(stats, /bind :8404\n/);
  assert.match(stats, /use-service prometheus-exporter if \{ path \/metrics \}/);
});

test('maxconn keeps two descriptors per connection under the open-files limit', () => {
  for (const estate of [smallEstate(), regionEstate()]) {
    const maxconn = edgeMaxConnections(estate);
    const servers = estate.frontends.reduce((n, f) => n + f.backends.length, 0);
    assert.ok(maxconn * 2 + servers < FD_LIMIT, `${maxconn}`);
    assert.match(renderEdgeConfig(estate, 'par-1'), new RegExp(`^  maxconn ${maxconn}$`, 'm'));
  }
});

test('a value that could inject configuration is refused', () => {
  const estate = smallEstate();
  const bad = { ...estate, frontends: [{ ...estate.frontends[0]!, host: 'x.example\n  bind :22' }] };
  assert.throws(() => renderEdgeConfig(bad, 'par-1'), /invalid host/);
  const badPath = { ...estate, frontends: [{ ...estate.frontends[0]!, health: { http: '/x y', intervalMs: 500 } }] };
  assert.throws(() => renderEdgeConfig(badPath, 'par-1'), /invalid httpPath/);
});

test('one edge configuration per zone', () => {
  assert.deepEqual(renderHaproxy(smallEstate()).map((a) => a.path), ['haproxy/par-1.cfg', 'haproxy/par-2.cfg']);
});

test('haproxy -c accepts the small and region-sized configurations without a warning', async (t) => {
  const why = await unavailable('haproxy', false);
  if (why) return t.skip(why);
  for (const [name, estate] of [['small', smallEstate()], ['region', regionEstate()]] as const) {
    for (const artefact of renderHaproxy(estate)) {
      // -dW: zero-warning mode, a warning fails the check.
      const { stdout } = await checkWith('haproxy', ['-dW', '-c', '-f'], `${name}.cfg`, artefact.content);
      assert.match(stdout, /Configuration file is valid/, `${name} ${artefact.path}`);
    }
  }
});
