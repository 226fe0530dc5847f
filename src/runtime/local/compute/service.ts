/**
 * What one instance's runit service directory contains, and the command line that isolates it. Pure: the
 * compute layer writes these files; nothing here touches the system.
 *
 * The chain, as argument arrays only: nsenter (the instance's network namespace) -> bwrap (a mount
 * namespace showing /usr, the /bin and /lib links, a minimal /etc, its own /data and /tmp; new pid, ipc and
 * uts namespaces; run as root so no user namespace is needed) -> setpriv (the application's uid and gid, no
 * supplementary groups, no capabilities in any set, no_new_privs) -> the command.
 *
 * The command line is DATA: `argv` holds it NUL-separated and the constant `run` script reads it with bash's
 * `mapfile -d ''` and execs it, so no user-supplied string is ever parsed by a shell.
 */
import { builtinCommand, WORKLOAD_ROOT } from '../../../workload/builtin.ts';

/** One application instance as the compute layer runs it (recorded in compute.json). */
export interface ComputeInstance {
  /** Canonical address, e.g. app/web/par-1/0. */
  address: string;
  app: string;
  zone: string;
  index: number;
  /** runit service name (also the log and data directory names): web.par-1.0. */
  service: string;
  /** Network namespace (/run/netns/NAME). */
  namespace: string;
  ip: string;
  port: number;
  uid: number;
  health?: { http?: string; tcp?: boolean };
  /** Command as declared; absent: the built-in workload. */
  run?: string[];
}

/** How the host lays out its root: which top-level entries are symlinks (merged /usr) and which directories. */
export interface HostLayout {
  /** e.g. { '/bin': 'usr/bin', '/lib': 'usr/lib' } */
  symlinks: Record<string, string>;
  /** e.g. ['/lib32'] when they are real directories. */
  directories: string[];
}

/** Where an instance's files live on the host. */
export interface InstancePaths {
  /** Its own data directory (owned by its uid, mode 0700), mounted on /data. */
  data: string;
  /** Document root of the built-in workload, mounted read-only on /www (absent for a declared command). */
  www?: string;
  /** Its materialised secrets (files readable by its uid only), mounted read-only on /run/secrets. */
  secrets?: string;
}

/** Where an instance finds its secrets. */
export const SECRETS_MOUNT = '/run/secrets';

/** Files of /etc an instance may read: name resolution, certificates, time zone, the linker cache. */
const ETC_FILES = [
  '/etc/alternatives',
  '/etc/ca-certificates',
  '/etc/hosts',
  '/etc/ld.so.cache',
  '/etc/localtime',
  '/etc/nsswitch.conf',
  '/etc/resolv.conf',
  '/etc/ssl',
];

/** Top-level host entries that may hold programs and libraries. */
export const LIBRARY_ROOTS = ['/bin', '/lib', '/lib32', '/lib64', '/libx32', '/sbin'];

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}\.[a-z][a-z0-9-]{0,62}\.[0-9]{1,3}$/;
const HOST_PATH = /^\/[A-Za-z0-9._/-]*$/;

/** The runit service name of an instance address (app/web/par-1/0 -> web.par-1.0), validated. */
export function serviceName(address: string): string {
  const parts = address.split('/');
  if (parts.length !== 4 || parts[0] !== 'app') throw new Error(`not an application instance address: ${JSON.stringify(address)}`);
  const name = `${parts[1]}.${parts[2]}.${parts[3]}`;
  if (!SERVICE_NAME.test(name)) throw new Error(`instance address ${JSON.stringify(address)} gives an invalid service name`);
  return name;
}

function checkPath(path: string): string {
  if (!HOST_PATH.test(path) || path.split('/').includes('..')) throw new Error(`invalid host path ${JSON.stringify(path)}`);
  return path;
}

/** The isolation prefix: everything before the command (nsenter, bwrap, setpriv). */
export function isolationArgv(instance: ComputeInstance, paths: InstancePaths, layout: HostLayout, options: { supervised: boolean }): string[] {
  if (!/^[a-z0-9-]{1,15}$/.test(instance.namespace)) throw new Error(`invalid namespace name ${JSON.stringify(instance.namespace)}`);
  if (!Number.isInteger(instance.uid) || instance.uid < 1000) throw new Error(`invalid application uid ${instance.uid}`);
  const bwrap = [
    '/usr/bin/bwrap',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--hostname',
    instance.service.replace(/\./g, '-').slice(0, 63),
    // The sandbox dies with its bwrap monitor, which runsv signals. bwrap's own init stays pid 1 (a reaper):
    // with --as-pid-1 the command, as pid 1 of its namespace, ignored the death-of-parent SIGKILL here
    // and outlived `sv term`, keeping its port; the init costs ~0.25 MB of PSS per instance.
    '--die-with-parent',
    ...(options.supervised ? [] : ['--new-session']),
    '--clearenv',
    '--setenv', 'PATH', '/usr/local/bin:/usr/bin:/bin',
    '--setenv', 'HOME', '/data',
    '--setenv', 'TMPDIR', '/tmp',
    '--setenv', 'APP', instance.app,
    '--setenv', 'ZONE', instance.zone,
    '--setenv', 'INSTANCE', instance.address,
    '--setenv', 'IP', instance.ip,
    '--setenv', 'PORT', String(instance.port),
    '--ro-bind', '/usr', '/usr',
  ];
  for (const [link, target] of Object.entries(layout.symlinks).sort()) bwrap.push('--symlink', checkPath(target.startsWith('/') ? target : `/${target}`).slice(1), checkPath(link));
  for (const dir of [...layout.directories].sort()) bwrap.push('--ro-bind', checkPath(dir), dir);
  for (const file of ETC_FILES) bwrap.push('--ro-bind-try', file, file);
  bwrap.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--bind', checkPath(paths.data), '/data');
  if (paths.www) bwrap.push('--ro-bind', checkPath(paths.www), WORKLOAD_ROOT);
  // bwrap makes missing parents of a mount point 0700 root: /run must be made traversable first.
  if (paths.secrets) bwrap.push('--perms', '0755', '--dir', '/run', '--ro-bind', checkPath(paths.secrets), SECRETS_MOUNT, '--setenv', 'SECRETS_DIR', SECRETS_MOUNT);
  // bwrap run as root drops every capability unless told: keep only what setpriv needs to change uid and
  // clear the bounding set; setpriv then drops them all.
  bwrap.push('--chdir', '/data', '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_SETPCAP', '--');
  const uid = String(instance.uid);
  return [
    '/usr/bin/nsenter',
    `--net=/run/netns/${instance.namespace}`,
    '--',
    ...bwrap,
    '/usr/bin/setpriv',
    '--reuid', uid,
    '--regid', uid,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ];
}

/** The instance's command: the declared one as given, or the built-in workload. */
export function instanceCommand(instance: ComputeInstance): string[] {
  if (instance.run && instance.run.length > 0) return [...instance.run];
  return builtinCommand(instance.ip, instance.port);
}

/** Rapid exits before an instance is declared crash-looping, and the window they are counted in. */
export const CRASH_LOOP = { exits: 5, windowSeconds: 30 } as const;

/** The constant launcher: reads the NUL-separated command line and execs it; no shell parsing of data. */
export const RUN_SCRIPT = `#!/bin/bash
# Generated by archipel: runs the command line stored NUL-separated in ./argv (data, never parsed by a shell).
exec 2>&1
mapfile -d '' -t argv < ./argv
exec "\${argv[@]}"
`;

/**
 * Called by runsv after each exit of ./run ($1: exit code, $2: signal). runit restarts a service one second
 * after a quick exit, forever; this counts exits and, past CRASH_LOOP.exits within the window, records
 * ./crash-loop and asks runsv (its control fifo, as `sv down` would) not to restart it.
 */
export const FINISH_SCRIPT = `#!/bin/bash
# Generated by archipel: crash-loop detection (see src/runtime/local/compute/service.ts).
# Bash builtins only: one process per exit, since process creation is what costs at 300 instances.
printf -v now '%(%s)T' -1
restarts=0
[[ -f restarts ]] && read -r restarts < restarts
echo $((restarts + 1)) > restarts
exits=()
[[ -f exits ]] && mapfile -t exits < exits
exits+=("$now")
(( \${#exits[@]} > ${CRASH_LOOP.exits} )) && exits=("\${exits[@]: -${CRASH_LOOP.exits}}")
printf '%s\\n' "\${exits[@]}" > exits
if (( \${#exits[@]} >= ${CRASH_LOOP.exits} && now - exits[0] < ${CRASH_LOOP.windowSeconds} )); then
  echo "$now exit=$1 signal=$2" > crash-loop
  printf d > supervise/control
fi
exit 0
`;

/** svlogd: timestamps, files of 1 MB, 5 kept (rotated by svlogd itself). */
export const LOG_RUN_SCRIPT = `#!/bin/sh
# Generated by archipel: the instance's stdout and stderr, timestamped and rotated.
exec /usr/bin/svlogd -tt ./main
`;
export const LOG_CONFIG = 's1000000\nn5\n';

export interface ServiceFile {
  /** Relative to the service directory. */
  path: string;
  content: string;
  mode: number;
}

/** Every file of an instance's service directory, sorted by path. */
export function serviceFiles(instance: ComputeInstance, paths: InstancePaths, layout: HostLayout): ServiceFile[] {
  const argv = [...isolationArgv(instance, paths, layout, { supervised: true }), ...instanceCommand(instance)];
  for (const arg of argv) if (arg.includes('\0')) throw new Error(`argument with a NUL byte in ${instance.address}`);
  return [
    { path: 'argv', content: argv.map((a) => `${a}\0`).join(''), mode: 0o600 },
    { path: 'finish', content: FINISH_SCRIPT, mode: 0o700 },
    { path: 'log/main/config', content: LOG_CONFIG, mode: 0o600 },
    { path: 'log/run', content: LOG_RUN_SCRIPT, mode: 0o700 },
    { path: 'run', content: RUN_SCRIPT, mode: 0o700 },
  ];
}
