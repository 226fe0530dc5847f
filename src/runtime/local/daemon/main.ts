/**
 * The estate daemon's process: `node --import tsx src/runtime/local/daemon/main.ts --state-dir DIR
 * --estate NAME [--check-interval-ms N]`, started detached by `ensureDaemon` (control.ts). It serves the
 * API on `<stateDir>/daemon.sock`, writes `<stateDir>/daemon.pid` once it answers, runs the periodic checks,
 * and on SIGTERM/SIGINT closes the socket and removes both files. Log lines go to stdout (daemon.log).
 */
import { existsSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { parseArgs } from 'node:util';
import { checkEstateName } from '../state-dir.ts';
import { daemonHealth, daemonPaths } from './control.ts';
import { startDaemonServer, type CheckHook } from './server.ts';

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} [${process.pid}] ${line}\n`);

/** The default hook: log what changed in the status's problems (later: health probes, schedules). */
function problemsLog(): CheckHook {
  let previous = '';
  return async ({ status, log: say }) => {
    const now = status.problems.join('; ');
    if (now !== previous) say(now ? `problems: ${now}` : 'healthy');
    previous = now;
  };
}

/**
 * Exits when the state directory is gone: a `down` that removed it without stopping the daemon (or a
 * manual rm) must not leave a daemon behind with nothing to serve.
 */
function exitWhenOrphaned(): CheckHook {
  return async ({ stateDir, log: say }) => {
    if (existsSync(stateDir)) return;
    say(`state directory ${stateDir} is gone; exiting`);
    process.kill(process.pid, 'SIGTERM');
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { 'state-dir': { type: 'string' }, estate: { type: 'string' }, 'check-interval-ms': { type: 'string' } },
    strict: true,
  });
  const stateDir = values['state-dir'];
  const estate = values.estate;
  const interval = Number(values['check-interval-ms'] ?? '5000');
  if (!stateDir || !isAbsolute(stateDir) || !estate || !Number.isInteger(interval) || interval < 0) {
    process.stderr.write('usage: main.ts --state-dir ABSOLUTE_DIR --estate NAME [--check-interval-ms N]\n');
    return 2;
  }
  checkEstateName(estate);
  const paths = daemonPaths(stateDir);
  const other = await daemonHealth(stateDir, 500);
  if (other) {
    log(`another daemon (pid ${other.pid}) already answers on ${paths.socket}; exiting`);
    return 3;
  }
  const daemon = await startDaemonServer({ stateDir, estate, socketPath: paths.socket, checkIntervalMs: interval, checks: [exitWhenOrphaned(), problemsLog()], log });
  const tmp = `${paths.pid}.tmp`;
  await writeFile(tmp, `${process.pid}\n`, { mode: 0o600 });
  await rename(tmp, paths.pid);
  log(`serving ${estate} on ${paths.socket}`);
  void daemon.runChecks();
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve());
  });
  log('stopping');
  await daemon.close();
  await unlink(paths.pid).catch(() => undefined);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    log(`fatal: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
