/**
 * The estate daemon's API: HTTP over the unix socket `<stateDir>/daemon.sock` (0600, so only root talks to
 * it), JSON bodies. GET /health answers at once (is the daemon alive, when did its checks last run);
 * GET /status answers with the status collected by the last check round when it is recent (collecting
 * one spawns nft and health probes per zone and instance: the daemon pays that once per round, however
 * many clients ask), or with a fresh one (`?fresh=1`, or when the last is too old); concurrent requests
 * share one collection. Each round collects the status, then runs the hooks one after the other (health
 * probes, backup and drill schedules register here later); a failing hook is logged and does not stop
 * the others.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmod, unlink } from 'node:fs/promises';
import { collectStatus, type EstateStatus, type StatusDeps } from './status.ts';

/** A periodic check: gets the daemon's context and the status just collected, may throw (logged). */
export type CheckHook = (ctx: { stateDir: string; estate: string; status: EstateStatus; log: (line: string) => void }) => Promise<void>;

export interface DaemonOptions {
  stateDir: string;
  estate: string;
  socketPath: string;
  /** Interval of the periodic checks (0 disables them). */
  checkIntervalMs: number;
  /** A status older than this is collected again for GET /status (default: twice the interval, at least 2 s). */
  maxStatusAgeMs?: number;
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
  const maxAge = options.maxStatusAgeMs ?? Math.max(2000, 2 * options.checkIntervalMs);
  let lastCheckAt: string | undefined;
  let checking = false;
  let latest: { status: EstateStatus; at: number } | undefined;
  let inflight: Promise<EstateStatus> | undefined;

  /** Collects the status once for every caller waiting at the same time. */
  const refresh = (): Promise<EstateStatus> => {
    inflight ??= collectStatus(options.stateDir, options.estate, options.statusDeps)
      .then((status) => {
        const collected = { ...status, collectedAt: now().toISOString() };
        latest = { status: collected, at: Date.now() };
        return collected;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  const runChecks = async () => {
    // Never two rounds at once: a slow round skips the next tick instead of piling up.
    if (checking) return;
    checking = true;
    try {
      let status: EstateStatus;
      try {
        status = await refresh();
      } catch (error) {
        log(`status collection failed: ${(error as Error).message}`);
        return;
      }
      for (const check of checks) {
        try {
          await check({ stateDir: options.stateDir, estate: options.estate, status, log });
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
    const [path, query = ''] = (req.url ?? '/').split('?');
    if (req.method !== 'GET') return send(res, 405, { error: `method ${req.method} not allowed (valid: GET)` });
    const daemon = { pid: process.pid, startedAt, ...(lastCheckAt ? { lastCheckAt } : {}) };
    if (path === '/health') return send(res, 200, { ok: true, estate: options.estate, ...daemon });
    if (path === '/status') {
      const fresh = new URLSearchParams(query).get('fresh') === '1';
      const status = !fresh && latest && Date.now() - latest.at <= maxAge ? latest.status : await refresh();
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
