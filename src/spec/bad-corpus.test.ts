/**
 * The bad corpus: every invalid estate under fixtures/bad/ yields at least one error, and the EXACT text a
 * user sees (formatDiagnostics with the source snippet) is pinned inline below; fixtures/warnings/ holds
 * valid estates whose warnings are pinned the same way. A change in a message, a code, a position or a
 * hint shows up here as a readable diff. To update after an intended change, re-render and review each
 * entry by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { analyseEstateText } from '../pipeline.ts';
import { formatDiagnostics, hasErrors } from './diagnostics.ts';

const ROOT = new URL('../../', import.meta.url);

function render(path: string): { text: string; errors: boolean; compiled: boolean } {
  const source = readFileSync(new URL(path, ROOT), 'utf8');
  const analysis = analyseEstateText(source, path);
  return { text: formatDiagnostics(analysis.diagnostics, source), errors: hasErrors(analysis.diagnostics), compiled: analysis.compiled !== undefined };
}

const BAD: Record<string, string> = {
  '01-yaml-syntax.yaml': `fixtures/bad/01-yaml-syntax.yaml:4:1: error E_YAML_SYNTAX: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]
  4 | applications:
    | ^

1 error, 0 warnings`,
  '02-duplicate-key.yaml': `fixtures/bad/02-duplicate-key.yaml:7:3: error E_DUPLICATE_KEY: duplicate key "web": a key may appear only once in a mapping
  7 |   web: { port: 9090 }
    |   ^
  hint: merge the two entries or rename one

1 error, 0 warnings`,
  '03-unknown-key.yaml': `fixtures/bad/03-unknown-key.yaml:4:1: error E_UNKNOWN_KEY: unknown key "witnes" in the estate
  4 | witnes: par-3
    | ^
  hint: did you mean "witness"?

fixtures/bad/03-unknown-key.yaml:7:5: error E_UNKNOWN_KEY: unknown key "instance" in applications.web (app/web)
  7 |     instance: 2
    |     ^
  hint: did you mean "instances"?

2 errors, 0 warnings`,
  '04-wrong-type.yaml': `fixtures/bad/04-wrong-type.yaml:6:11: error E_TYPE: applications.web.port must be a number, got the string "8080" (app/web)
  6 |     port: "8080"
    |           ^

fixtures/bad/04-wrong-type.yaml:7:16: error E_TYPE: applications.web.instances must be a whole number, got the number 1.5 (app/web)
  7 |     instances: 1.5
    |                ^

fixtures/bad/04-wrong-type.yaml:8:5: error E_TYPE: applications.web.flows must be a list, got a mapping (app/web)
  8 |     flows: { to: api }
    |     ^

3 errors, 0 warnings`,
  '05-missing-required.yaml': `fixtures/bad/05-missing-required.yaml:2:1: error E_REQUIRED: missing required key "estate" in the estate
  2 | zones: [par-1, par-2]
    | ^

fixtures/bad/05-missing-required.yaml:5:13: error E_REQUIRED: missing required key "to" in applications.web.flows[0] (app/web)
  5 |     flows: [{ port: 8080 }]
    |             ^

2 errors, 0 warnings`,
  '06-invalid-value.yaml': `fixtures/bad/06-invalid-value.yaml:6:11: error E_INVALID_VALUE: "critcal" is not a valid value for applications.web.tier (app/web)
  6 |     tier: critcal
    |           ^
  hint: did you mean "critical"?

fixtures/bad/06-invalid-value.yaml:7:14: error E_INVALID_VALUE: "vm" is not a valid value for applications.web.compute (app/web)
  7 |     compute: vm
    |              ^
  hint: valid values: baremetal, gpu, instance, kubernetes

fixtures/bad/06-invalid-value.yaml:11:19: error E_INVALID_VALUE: "mysql" is not a valid value for databases.main.engine (db/main)
  11 |   main: { engine: mysql }
     |                   ^
  hint: valid values: postgres

3 errors, 0 warnings`,
  '07-name-shell-metacharacters.yaml': `fixtures/bad/07-name-shell-metacharacters.yaml:5:3: error E_INVALID_NAME: "a;rm -rf" is not a valid name: must start with a lower-case letter and contain only a-z, 0-9 and "-" (at most 63 characters)
  5 |   "a;rm -rf": {}
    |   ^
  hint: names become interface, file and rule names: a-z, 0-9 and "-", starting with a letter

1 error, 0 warnings`,
  '08-name-path-traversal.yaml': `fixtures/bad/08-name-path-traversal.yaml:6:36: error E_INVALID_NAME: "../etc" is not a valid name (applications.api.data.volumes[0].name): must start with a lower-case letter and contain only a-z, 0-9 and "-" (at most 63 characters) (app/api)
  6 |   api: { data: { volumes: [{ name: ../etc, path: /data }] } }
    |                                    ^
  hint: names become interface, file and rule names: a-z, 0-9 and "-", starting with a letter

1 error, 0 warnings`,
  '09-name-too-long.yaml': `fixtures/bad/09-name-too-long.yaml:5:3: error E_INVALID_NAME: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" is not a valid name: must start with a lower-case letter and contain only a-z, 0-9 and "-" (at most 63 characters)
  5 |   aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: {}
    |   ^
  hint: 204 characters: at most 63

1 error, 0 warnings`,
  '10-name-lookalike.yaml': `fixtures/bad/10-name-lookalike.yaml:5:3: error E_INVALID_NAME: "аpp" is not a valid name: must start with a lower-case letter and contain only a-z, 0-9 and "-" (at most 63 characters)
  5 |   аpp: {}
    |   ^
  hint: contains the non-ASCII character "а" (U+0430): names are ASCII only, so that look-alikes cannot pass

1 error, 0 warnings`,
  '11-name-proto.yaml': `fixtures/bad/11-name-proto.yaml:5:3: error E_INVALID_NAME: "__proto__" is not a valid name: it would rewrite a JavaScript object's prototype
  5 |   __proto__: {}
    |   ^
  hint: names become interface, file and rule names: a-z, 0-9 and "-", starting with a letter

1 error, 0 warnings`,
  '12-name-reserved.yaml': `fixtures/bad/12-name-reserved.yaml:3:16: error E_RESERVED_NAME: "lo" cannot be used as a name: "lo" is a reserved word (zone/lo)
  3 | zones: [par-1, lo]
    |                ^
  hint: reserved words mean something to ip, nft, HAProxy or JavaScript: pick another name

fixtures/bad/12-name-reserved.yaml:5:3: error E_RESERVED_NAME: "default" cannot be used as a name: "default" is a reserved word (app/default)
  5 |   default: { flows: [{ to: web- }] }
    |   ^
  hint: reserved words mean something to ip, nft, HAProxy or JavaScript: pick another name

fixtures/bad/12-name-reserved.yaml:6:3: error E_UNSAFE_NAME: "web-" cannot be used as a name: must not end with "-" (app/web-)
  6 |   web-: { flows: [{ to: api--v2 }] }
    |   ^
  hint: for example "web"

fixtures/bad/12-name-reserved.yaml:7:3: error E_UNSAFE_NAME: "api--v2" cannot be used as a name: must not contain "--" (app/api--v2)
  7 |   api--v2: { flows: [{ to: constructor }] }
    |   ^
  hint: for example "api-v2"

fixtures/bad/12-name-reserved.yaml:8:3: error E_RESERVED_NAME: "constructor" cannot be used as a name: "constructor" is a reserved word (app/constructor)
  8 |   constructor: {}
    |   ^
  hint: reserved words mean something to ip, nft, HAProxy or JavaScript: pick another name

5 errors, 0 warnings`,
  '13-name-dash-collision.yaml': `fixtures/bad/13-name-dash-collision.yaml:6:3: error E_NAME_COLLISION: application names "web-api" and "webapi" differ only by "-" placement: they collide once a target shortens names (app/webapi)
  6 |   webapi: { flows: [{ to: web-api }] }
    |   ^
  hint: rename "webapi" so that it differs by more than its dashes

1 error, 0 warnings`,
  '14-invalid-duration.yaml': `fixtures/bad/14-invalid-duration.yaml:6:51: error E_INVALID_DURATION: "1mo" is not a valid duration (applications.video.data.bucket.expireAfter) (app/video)
  6 |     data: { bucket: { name: cameras, expireAfter: 1mo } }
    |                                                   ^
  hint: a whole number and a unit: 30s, 15m, 1h, 30d, 2w, 2y (months are not a unit: write 30d)

fixtures/bad/14-invalid-duration.yaml:8:27: error E_TYPE: backups[0].every must be a string, got the number 15
  8 |   - { level: zone, every: 15, keep: { hourly: 24 } }
    |                           ^
  hint: a whole number and a unit: 30s, 15m, 1h, 30d, 2w, 2y (months are not a unit: write 30d)

2 errors, 0 warnings`,
  '15-invalid-cidr-and-range.yaml': `fixtures/bad/15-invalid-cidr-and-range.yaml:3:1: error E_RANGE: zones must have at least 2 items, got 1
  3 | zones: [par-1]
    | ^

fixtures/bad/15-invalid-cidr-and-range.yaml:4:14: error E_INVALID_CIDR: "198.18.0.0" is not a valid IPv4 prefix (addressPool)
  4 | addressPool: 198.18.0.0
    |              ^
  hint: write an address and a prefix length, such as 198.18.0.0/15

fixtures/bad/15-invalid-cidr-and-range.yaml:5:16: error E_RANGE: networkPrefix must be at most 28, got the number 30
  5 | networkPrefix: 30
    |                ^

3 errors, 0 warnings`,
  '16-unknown-flow-target.yaml': `fixtures/bad/16-unknown-flow-target.yaml:7:19: error E_UNKNOWN_FLOW_TARGET: application "web" has a flow to "apii", which the estate does not declare (flow/app/web->app/apii)
  7 |     flows: [{ to: apii }, { to: db/mian }, { to: cache/nothing }]
    |                   ^
  hint: did you mean "api"?

fixtures/bad/16-unknown-flow-target.yaml:7:33: error E_UNKNOWN_FLOW_TARGET: application "web" has a flow to "db/mian", which the estate does not declare (flow/app/web->db/mian)
  7 |     flows: [{ to: apii }, { to: db/mian }, { to: cache/nothing }]
    |                                 ^
  hint: did you mean "db/main"?

fixtures/bad/16-unknown-flow-target.yaml:7:50: error E_UNKNOWN_FLOW_TARGET: application "web" has a flow to "cache/nothing", which the estate does not declare (flow/app/web->cache/nothing)
  7 |     flows: [{ to: apii }, { to: db/mian }, { to: cache/nothing }]
    |                                                  ^
  hint: valid targets: api, db/main, web

fixtures/bad/16-unknown-flow-target.yaml:8:3: warning W_ISLAND: application "api" has no flows, is not exposed and is the target of no flow: nothing can reach it and it reaches nothing (app/api)
  8 |   api: {}
    |   ^
  hint: declare its flows or expose it, or remove it if it is unused

3 errors, 1 warning`,
  '17-flow-port-closed.yaml': `fixtures/bad/17-flow-port-closed.yaml:6:30: error E_FLOW_PORT_CLOSED: flow from "web" to "api" uses port 8080/tcp, on which app/api does not listen (flow/app/web->app/api:8080)
  6 |     flows: [{ to: api, port: 8080 }, { to: api, port: 9100, protocol: udp }, { to: db/main, port: 3306 }]
    |                              ^
  hint: app/api listens on 9000/tcp, 9100/tcp

fixtures/bad/17-flow-port-closed.yaml:6:55: error E_FLOW_PORT_CLOSED: flow from "web" to "api" uses port 9100/udp, on which app/api does not listen (flow/app/web->app/api:9100/udp)
  6 |     flows: [{ to: api, port: 8080 }, { to: api, port: 9100, protocol: udp }, { to: db/main, port: 3306 }]
    |                                                       ^
  hint: app/api listens on 9000/tcp, 9100/tcp

fixtures/bad/17-flow-port-closed.yaml:6:99: error E_FLOW_PORT_CLOSED: flow from "web" to "db/main" uses port 3306/tcp, on which db/main does not listen (flow/app/web->db/main:3306)
  6 |     flows: [{ to: api, port: 8080 }, { to: api, port: 9100, protocol: udp }, { to: db/main, port: 3306 }]
    |                                                                                                   ^
  hint: db/main listens on 5432/tcp

3 errors, 0 warnings`,
  '18-unknown-zone.yaml': `fixtures/bad/18-unknown-zone.yaml:3:23: error E_DUPLICATE_ZONE: zone "par-1" is listed twice (zone/par-1)
  3 | zones: [par-1, par-2, par-1]
    |                       ^
  hint: list each zone once

fixtures/bad/18-unknown-zone.yaml:5:25: error E_UNKNOWN_ZONE: application "web" runs in zone "pa-2", which the estate does not declare (app/web)
  5 |   web: { zones: [par-1, pa-2], flows: [{ to: api }] }
    |                         ^
  hint: did you mean "par-2"?

2 errors, 0 warnings`,
  '19-witness-is-zone.yaml': `fixtures/bad/19-witness-is-zone.yaml:4:10: error E_WITNESS_IS_ZONE: the witness "par-2" is also a zone: a witness must be a third location to break ties between the zones (witness/par-2)
  4 | witness: par-2
    |          ^
  hint: name a location that is not in zones, such as par-3

1 error, 0 warnings`,
  '20-duplicate-bucket.yaml': `fixtures/bad/20-duplicate-bucket.yaml:6:29: error E_DUPLICATE_BUCKET: bucket "cameras" is declared twice (buckets.cameras and applications.video.data.bucket) (bucket/cameras)
  6 |     data: { bucket: { name: cameras, expireAfter: 30d } }
    |                             ^
  hint: declare it once; other applications reach it with a flow { to: bucket/cameras }

1 error, 0 warnings`,
  '21-port-conflict.yaml': `fixtures/bad/21-port-conflict.yaml:9:30: error E_PORT_CONFLICT: application "api" declares port 9000/tcp twice (app/api)
  9 |       - { name: admin, port: 9000 }
    |                              ^
  hint: 9000 is already the main port

fixtures/bad/21-port-conflict.yaml:11:17: error E_PORT_CONFLICT: application "api" names two ports "metrics" (app/api)
  11 |       - { name: metrics, port: 9200 }
     |                 ^
  hint: port names must be unique within an application

2 errors, 0 warnings`,
  '22-expose-without-health.yaml': `fixtures/bad/22-expose-without-health.yaml:6:5: error E_EXPOSE_NEEDS_HEALTH: application "web" is exposed but has no health check: the edges could not take a failed instance out of service (app/web)
  6 |     expose: { host: shop.example, allow: [public] }
    |     ^
  hint: add health: { http: /healthz } or health: { tcp: true }

1 error, 0 warnings`,
  '23-unknown-data-cluster.yaml': `fixtures/bad/23-unknown-data-cluster.yaml:7:28: error E_UNKNOWN_DATABASE: application "api" uses database cluster "mian", which databases: does not declare (app/api)
  7 |       database: { cluster: mian, name: api }
    |                            ^
  hint: did you mean "main"?

fixtures/bad/23-unknown-data-cluster.yaml:8:25: error E_UNKNOWN_CACHE: application "api" uses cache "sessions", which caches: does not declare (app/api)
  8 |       cache: { cluster: sessions }
    |                         ^
  hint: declared caches: none

2 errors, 0 warnings`,
  '24-retention-contradiction.yaml': `fixtures/bad/24-retention-contradiction.yaml:6:70: error E_RETENTION_CONTRADICTION: bucket "documents" expires objects after 3y but may retain them only 2y: the two delete-by limits contradict each other (bucket/documents)
  6 |     data: { bucket: { name: documents, class: personal, expireAfter: 3y, retainFor: 2y } }
    |                                                                      ^
  hint: both are maxima: keep one, or make expireAfter at most 2y

1 error, 0 warnings`,
  '25-pool-too-small.yaml': `fixtures/bad/25-pool-too-small.yaml:5:14: error E_POOL_TOO_SMALL: address pool 198.18.0.0/24 holds 4 networks of /26; the estate needs 12 (3 applications, 1 database, 0 caches, 0 buckets, plus 8 reserved infrastructure blocks)
  5 | addressPool: 198.18.0.0/24
    |              ^
  hint: use a pool of /22 or larger (the default 198.18.0.0/15 holds 2048), or a longer networkPrefix

1 error, 0 warnings`,
  '26-pool-not-aligned.yaml': `fixtures/bad/26-pool-not-aligned.yaml:4:14: error E_POOL_NOT_ALIGNED: address pool 198.18.3.0/16 has host bits set
  4 | addressPool: 198.18.3.0/16
    |              ^
  hint: did you mean 198.18.0.0/16?

1 error, 0 warnings`,
  '27-critical-one-zone.yaml': `fixtures/bad/27-critical-one-zone.yaml:5:30: error E_OBJECTIVE_ZONES: critical application "payroll" runs in one zone only: losing that zone stops it, which its objectives do not allow (app/payroll)
  5 |   payroll: { tier: critical, zones: [par-1], flows: [{ to: ledger }] }
    |                              ^
  hint: run it in at least two zones (remove zones: to use all of par-1, par-2) or lower its tier

1 error, 0 warnings`,
  '28-sync-without-witness.yaml': `fixtures/bad/28-sync-without-witness.yaml:7:42: error E_SYNC_NEEDS_WITNESS: database "main" replicates synchronously but the estate has no witness: two zones alone cannot decide a failover safely (db/main)
  7 |   main: { engine: postgres, synchronous: true }
    |                                          ^
  hint: declare witness: par-3 (a third location), or set synchronous: false

1 error, 0 warnings`,
  '29-rpo-zero-async.yaml': `fixtures/bad/29-rpo-zero-async.yaml:6:20: error E_RPO_NEEDS_SYNC: application "payroll" may lose no write (rpo 0s, from tier critical) but database "main" replicates asynchronously (app/payroll)
  6 |   payroll: { tier: critical, data: { database: { cluster: main, name: payroll } } }
    |                    ^
  hint: set databases.main.synchronous: true (with a witness) or relax objectives.rpo

fixtures/bad/29-rpo-zero-async.yaml:8:24: error E_RPO_NEEDS_SYNC: application "ledger" may lose no write (rpo 0s) but database "main" replicates asynchronously (app/ledger)
  8 |     objectives: { rpo: 0s }
    |                        ^
  hint: set databases.main.synchronous: true (with a witness) or relax objectives.rpo

2 errors, 0 warnings`,
  '30-unknown-group-user.yaml': `fixtures/bad/30-unknown-group-user.yaml:7:45: error E_UNKNOWN_GROUP: application "portal" allows group "grant-officers", which access.groups does not declare (app/portal)
  7 |     expose: { host: portal.example, allow: [group:grant-officers, user:mallory] }
    |                                             ^
  hint: did you mean "grants-officers"?

fixtures/bad/30-unknown-group-user.yaml:7:67: error E_UNKNOWN_USER: application "portal" allows user "mallory", who is neither in access.users nor in a group (app/portal)
  7 |     expose: { host: portal.example, allow: [group:grant-officers, user:mallory] }
    |                                                                   ^
  hint: declared users: alice, bob

2 errors, 0 warnings`,
  '31-too-many-instances.yaml': `fixtures/bad/31-too-many-instances.yaml:7:21: error E_TOO_MANY_INSTANCES: application "web" asks for 6 instances per zone; a /28 network split across 2 zones holds 5 per zone (app/web)
  7 |   web: { instances: 6, flows: [{ to: api }] }
    |                     ^
  hint: lower instances to 5 or use a shorter networkPrefix (for example /27)

1 error, 0 warnings`,
  '32-duplicate-backup-level.yaml': `fixtures/bad/32-duplicate-backup-level.yaml:9:14: error E_DUPLICATE_BACKUP_LEVEL: backup level "zone" is declared twice
  9 |   - { level: zone, every: 1h, keep: { daily: 7 } }
    |              ^
  hint: one entry per level: merge their keep rules

1 error, 0 warnings`,
  '33-invalid-format.yaml': `fixtures/bad/33-invalid-format.yaml:5:26: error E_INVALID_FORMAT: "healthz" is not valid for applications.web.health.http: must be an absolute URL path such as /healthz (app/web)
  5 |   web: { health: { http: healthz }, flows: [{ to: api }] }
    |                          ^

fixtures/bad/33-invalid-format.yaml:7:19: error E_INVALID_FORMAT: "not-a-url" is not valid for access.issuer: must be a URL such as https://id.example.org
  7 | access: { issuer: not-a-url }
    |                   ^

2 errors, 0 warnings`,
};

const WARNINGS: Record<string, string> = {
  '01-loose-ends.yaml': `fixtures/warnings/01-loose-ends.yaml:9:26: warning W_DUPLICATE_FLOW: application "web" declares the flow to app/api:8080 twice (flow/app/web->app/api:8080)
  9 |     flows: [{ to: api }, { to: api, port: 8080 }, { to: web }]
    |                          ^
  hint: remove one of them

fixtures/warnings/01-loose-ends.yaml:9:57: warning W_FLOW_TO_SELF: application "web" has a flow to itself: instances of one application share their network and need no flow (flow/app/web->app/web:8080)
  9 |     flows: [{ to: api }, { to: api, port: 8080 }, { to: web }]
    |                                                         ^
  hint: remove the flow

fixtures/warnings/01-loose-ends.yaml:11:19: warning W_DB_FLOW_WITHOUT_DATA: application "api" flows to db/main but declares no data.database: it gets no database or credentials there (flow/app/api->db/main:5432)
  11 |     flows: [{ to: db/main }]
     |                   ^
  hint: add data: { database: { cluster: main, name: api } }, or remove the flow

fixtures/warnings/01-loose-ends.yaml:12:3: warning W_ISLAND: application "forgotten" has no flows, is not exposed and is the target of no flow: nothing can reach it and it reaches nothing (app/forgotten)
  12 |   forgotten: {}
     |   ^
  hint: declare its flows or expose it, or remove it if it is unused

0 errors, 4 warnings`,
  '02-retention.yaml': `fixtures/warnings/02-retention.yaml:6:53: warning W_PERSONAL_NO_LIMIT: bucket "applicant-files" holds personal data with no delete-by limit: it would be kept forever (bucket/applicant-files)
  6 |     data: { bucket: { name: applicant-files, class: personal } }
    |                                                     ^
  hint: set retainFor (for example 2y) or expireAfter, as GDPR storage limitation requires

fixtures/warnings/02-retention.yaml:11:5: warning W_BACKUP_EXCLUDES: the immutable vault level keeps backups for 360d, longer than bucket "cameras" may keep data (30d): the bucket is excluded from this level (bucket/cameras)
  11 |   - { level: vault, every: 1d, keep: { monthly: 12 }, immutable: true }
     |     ^
  hint: expected for short-lived data; to include it, keep this level at most 30d

0 errors, 2 warnings`,
};

for (const [dir, table] of [['bad', BAD], ['warnings', WARNINGS]] as const) {
  test(`fixtures/${dir}: every file is pinned and every pin has a file`, () => {
    const files = readdirSync(new URL(`fixtures/${dir}/`, ROOT)).filter((f) => f.endsWith('.yaml')).sort();
    assert.deepEqual(files, Object.keys(table).sort());
  });
}

for (const [file, expected] of Object.entries(BAD)) {
  test(`bad: ${file}`, () => {
    const got = render(`fixtures/bad/${file}`);
    assert.equal(got.text, expected);
    assert.ok(got.errors, 'a bad fixture must yield at least one error');
    assert.equal(got.compiled, false);
  });
}

for (const [file, expected] of Object.entries(WARNINGS)) {
  test(`warnings: ${file}`, () => {
    const got = render(`fixtures/warnings/${file}`);
    assert.equal(got.text, expected);
    assert.equal(got.errors, false, 'a warnings fixture must be valid');
    assert.match(got.text, /^0 errors, [1-9]\d* warnings?$/m);
  });
}

test('the corpus covers every code the spec stage can emit, except the unreachable fallback', () => {
  const all = [...Object.values(BAD), ...Object.values(WARNINGS)].join('\n');
  const covered = new Set(all.match(/\b[EW]_[A-Z_]+\b/g));
  const emitted = new Set<string>();
  for (const file of ['load.ts', 'validate.ts']) {
    for (const m of readFileSync(new URL(file, import.meta.url), 'utf8').matchAll(/'([EW]_[A-Z_]+)'/g)) emitted.add(m[1]!);
  }
  emitted.delete('E_SCHEMA');
  assert.deepEqual([...emitted].filter((c) => !covered.has(c)).sort(), []);
});
