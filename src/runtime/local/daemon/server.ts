/**
 * The estate daemon's API: HTTP over the unix socket `<stateDir>/daemon.sock` (0600, so only root talks to
 * it), JSON bodies. GET /health answers at once (is the daemon alive, when did its checks last run);
 * GET /status collects a fresh status (status.ts). Periodic checks are hooks run one after the other on an
 * interval (health probes, backup and drill schedules register here later); a failing hook is logged and
 * does not stop the others.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmod, unlink } from 'node:fs/promises';
import { collectStatus, type StatusDeps } from './status.ts';

/** A periodic check: gets the daemon's context, may throw (logged). */
export type CheckHook = (ctx: { stateDir: string; estate: string; log: (line: string) => void }) => Promise<void>;

export interface DaemonOptions {
  stateDir: string;
  estate: string;
  socketPath: string;
  /** Interval of the periodic checks (0 disables them). */
  checkIntervalMs: number;
  checks?: CheckHook[];
  statusDeps?: StatusDeps;
  log?: (line: string) => void;
  now?: () => Date;
}

export interface RunningDaemon {
  server: Server;
  /** Runs the checks once now (tests; also what the interval calls). */
  runChecks: () => Promise<void>;
  close: () => Promise<void>;
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Starts serving on the socket (an existing file at that path is replaced: the caller made sure no daemon owns it). */
export async function startDaemonServer(options: DaemonOptions): Promise<RunningDaemon> {
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const checks = options.checks ?? [];
  let lastCheckAt: string | undefined;
  let checking = false;

  const runChecks = async () => {
    // Never two rounds at once: a slow round skips the next tick instead of piling up.
    if (checking) return;
    checking = true;
    try {
      for (const check of checks) {
        try {
          await check({ stateDir: options.stateDir, estate: options.estate, log });
        } catch (error) {
          log(`check failed: ${(error as Error).message}`);
        }
      }
      lastCheckAt = now().toISOString();
    } finally {
      checking = false;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(res, 405, { error: `method ${req.method} not allowed (valid: GET)` });
    const daemon = { pid: process.pid, startedAt, ...(lastCheckAt ? { lastCheckAt } : {}) };
    if (path === '/health') return send(res, 200, { ok: true, estate: options.estate, ...daemon });
    if (path === '/status') {
      const status = await collectStatus(options.stateDir, options.estate, options.statusDeps);
      return send(res, 200, { ...status, source: 'daemon', daemon });
    }
    return send(res, 404, { error: `unknown path ${path} (valid paths: /health, /status)` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      log(`request ${req.url} failed: ${error.message}`);
      if (!res.headersSent) send(res, 500, { error: error.message });
      else res.destroy();
    });
  });
  await unlink(options.socketPath).catch(() => undefined);
  // The socket is created under a restrictive umask so it is never reachable by others, not even briefly.
  const previous = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(previous);
  }
  await chmod(options.socketPath, 0o600);

  const timer = options.checkIntervalMs > 0 ? setInterval(() => void runChecks(), options.checkIntervalMs) : undefined;
  return {
    server,
    runChecks,
    close: async () => {
      if (timer) clearInterval(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive connections would otherwise hold close() open.
      server.closeAllConnections();
      await closed;
      await unlink(options.socketPath).catch(() => undefined);
    },
  };
}
