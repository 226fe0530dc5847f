import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FINISH_SCRIPT, RUN_SCRIPT, instanceCommand, isolationArgv, serviceFiles, serviceName, type ComputeInstance } from './service.ts';

const layout = { symlinks: { '/bin': 'usr/bin', '/lib': 'usr/lib' }, directories: ['/lib32'] };
const web: ComputeInstance = { address: 'app/web/par-1/0', app: 'web', zone: 'par-1', index: 0, service: 'web.par-1.0', namespace: 'ap1234-iabcdef0', ip: '198.18.0.5', port: 8080, uid: 212345, health: { http: '/healthz' } };

test('service names come from instance addresses and are validated', () => {
  assert.equal(serviceName('app/web/par-1/0'), 'web.par-1.0');
  assert.throws(() => serviceName('db/main/par-1/0'), /not an application instance/);
  assert.throws(() => serviceName('app/../par-1/0'), /invalid service name/);
});

test('the isolation chain is nsenter, bwrap, setpriv with every capability dropped', () => {
  const argv = isolationArgv(web, { data: '/s/data/web/par-1.0', www: '/s/www/web.par-1.0' }, layout, { supervised: true });
  assert.deepEqual(argv.slice(0, 4), ['/usr/bin/nsenter', '--net=/run/netns/ap1234-iabcdef0', '--', '/usr/bin/bwrap']);
  const setpriv = argv.indexOf('/usr/bin/setpriv');
  assert.deepEqual(argv.slice(setpriv), ['/usr/bin/setpriv', '--reuid', '212345', '--regid', '212345', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--']);
  const joined = argv.join(' ');
  assert.match(joined, /--symlink usr\/bin \/bin --symlink usr\/lib \/lib --ro-bind \/lib32 \/lib32/);
  assert.match(joined, /--bind \/s\/data\/web\/par-1.0 \/data --ro-bind \/s\/www\/web.par-1.0 \/www/);
  assert.match(joined, /--setenv PORT 8080/);
  assert.match(joined, /--setenv INSTANCE app\/web\/par-1\/0/);
  assert.doesNotMatch(joined, /\/run\/netns [^-]|--bind \/run|--bind \/var/);
  assert.ok(!argv.includes('--new-session'));
  assert.ok(isolationArgv(web, { data: '/d' }, layout, { supervised: false }).includes('--new-session'));
});

test('names and paths reaching the command line are validated', () => {
  assert.throws(() => isolationArgv({ ...web, namespace: '../x' }, { data: '/d' }, layout, { supervised: true }), /invalid namespace/);
  assert.throws(() => isolationArgv({ ...web, uid: 0 }, { data: '/d' }, layout, { supervised: true }), /invalid application uid/);
  assert.throws(() => isolationArgv(web, { data: '/d/../etc' }, layout, { supervised: true }), /invalid host path/);
  assert.throws(() => isolationArgv(web, { data: 'd e' }, layout, { supervised: true }), /invalid host path/);
});

test('a declared command is kept as an argument array; absent, the built-in workload', () => {
  assert.deepEqual(instanceCommand({ ...web, run: ['/opt/app', '--name', "it's; rm -rf /"] }), ['/opt/app', '--name', "it's; rm -rf /"]);
  assert.deepEqual(instanceCommand(web), ['/usr/bin/busybox', 'httpd', '-f', '-p', '198.18.0.5:8080', '-h', '/www']);
});

test('the service directory stores the command line NUL-separated behind a constant launcher', () => {
  const files = serviceFiles({ ...web, run: ['/opt/app', 'a b', '$(x)'] }, { data: '/d' }, layout);
  assert.deepEqual(files.map((f) => f.path), ['argv', 'finish', 'log/main/config', 'log/run', 'run']);
  const argv = files.find((f) => f.path === 'argv')!.content.split('\0');
  assert.deepEqual(argv.slice(-4), ['/opt/app', 'a b', '$(x)', '']);
  assert.equal(files.find((f) => f.path === 'run')!.content, RUN_SCRIPT);
  assert.equal(files.find((f) => f.path === 'finish')!.content, FINISH_SCRIPT);
  assert.throws(() => serviceFiles({ ...web, run: ['a\0b'] }, { data: '/d' }, layout), /NUL/);
});
