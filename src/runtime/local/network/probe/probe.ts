/**
 * runProbe: proves the segmentation of a running estate. Discovers every listener from the kernel, opens
 * canaries (one TCP, one UDP port) and stand-ins for declared ports nobody listens on, lifts the ICMP rate
 * limit of routers and targets for the duration (rejections must all arrive, else "filtered" turns into
 * "silent"), tries every port of every target from every source in a few epoll workers, restores
 * everything, and compares the observed matrix with the declared one.
 */
import { availableParallelism } from 'node:os';
import type { CompiledEstate } from '../../../../compile/types.ts';
import type { NetworkState } from '../state.ts';
import { connectBatch, listListeners, probeBinary, serve, type Outcome, type ServeRequest } from './helper.ts';
import { CANARY_TCP, CANARY_UDP, compare, endpointsOf, standInPorts, targetsOf, type Attempt, type Difference, type Endpoint, type ProbeSummary } from './matrix.ts';

export interface ProbeOptions {
  /** A silent target costs this much (default 400 ms). */
  timeoutMs?: number;
  /** Attempts in flight per worker (default 1024). */
  concurrency?: number;
  /** Worker processes (default: the number of CPUs, at most 4). */
  workers?: number;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

export interface ProbeResult {
  summary: ProbeSummary;
  differences: Difference[];
  seconds: number;
  /** Listeners found in the kernel, per namespace address (the probe's own excluded). */
  listeners: Record<string, string[]>;
}

export async function runProbe(compiled: CompiledEstate, state: NetworkState, options: ProbeOptions = {}): Promise<ProbeResult> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const binary = await probeBinary(options.env);
  const endpoints = endpointsOf(compiled, state);
  const found = await listListeners(binary, endpoints.map((e) => e.namespace));
  const listeners: Record<string, string[]> = {};
  for (const e of endpoints) {
    const l = found.get(e.namespace)!;
    listeners[e.address] = [...[...l.tcp].map((p) => `${p}/tcp`), ...[...l.udp].map((p) => `${p}/udp`)].sort();
  }

  const targets = endpoints.filter((e) => endpoints.some((s) => targetsOf(s, [e]).length > 0));
  const request: ServeRequest = {
    icmp: [...state.namespaces.filter((n) => n.role === 'router').map((n) => n.name), ...targets.map((t) => t.namespace)],
    listen: [],
  };
  const wanted: { target: Endpoint; port: number; protocol: 'tcp' | 'udp'; via: Attempt['via'] }[] = [];
  for (const t of targets) {
    const l = found.get(t.namespace)!;
    for (const port of [...l.tcp].sort((a, b) => a - b)) if (port !== CANARY_TCP) wanted.push({ target: t, port, protocol: 'tcp', via: 'listener' });
    for (const port of [...l.udp].sort((a, b) => a - b)) if (port !== CANARY_UDP) wanted.push({ target: t, port, protocol: 'udp', via: 'listener' });
    request.listen.push({ namespace: t.namespace, protocol: 'tcp', port: CANARY_TCP }, { namespace: t.namespace, protocol: 'udp', port: CANARY_UDP });
    for (const s of standInPorts(compiled, t)) {
      if (!l[s.protocol].has(s.port) && s.port !== CANARY_TCP) request.listen.push({ namespace: t.namespace, protocol: s.protocol, port: s.port });
    }
  }
  const server = await serve(binary, request);
  try {
    request.listen.forEach((l, i) => {
      if (server.bound[i] !== 0) return;
      const target = targets.find((t) => t.namespace === l.namespace)!;
      const canary = (l.protocol === 'tcp' && l.port === CANARY_TCP) || (l.protocol === 'udp' && l.port === CANARY_UDP);
      wanted.push({ target, port: l.port, protocol: l.protocol, via: canary ? 'canary' : 'listener' });
    });
    const byTarget = new Map<string, typeof wanted>();
    for (const w of wanted) {
      const list = byTarget.get(w.target.namespace) ?? [];
      list.push(w);
      byTarget.set(w.target.namespace, list);
    }
    const sources = endpoints.filter((s) => targetsOf(s, endpoints).length > 0);
    const perSource: Attempt[][] = sources.map((source) => {
      const list: Attempt[] = [];
      for (const t of targetsOf(source, endpoints)) {
        for (const w of byTarget.get(t.namespace) ?? []) list.push({ source, target: t, port: w.port, protocol: w.protocol, via: w.via });
      }
      return list;
    });
    const total = perSource.reduce((n, l) => n + l.length, 0);
    const workers = Math.max(1, Math.min(options.workers ?? Math.min(availableParallelism(), 4), sources.length));
    log(`probe: ${sources.length} sources, ${targets.length} targets, ${total} attempts, ${workers} workers`);
    // Contiguous chunks of sources of about equal attempt counts, one per worker.
    const chunks: Attempt[][][] = Array.from({ length: workers }, () => []);
    let acc = 0;
    perSource.forEach((list) => {
      const w = Math.min(workers - 1, Math.floor((acc * workers) / Math.max(1, total)));
      chunks[w]!.push(list);
      acc += list.length;
    });
    const results = await Promise.all(
      chunks.map((chunk) =>
        connectBatch(
          binary,
          { sources: chunk.filter((l) => l.length > 0).map((l) => ({ namespace: l[0]!.source.namespace, targets: l.map((a) => ({ ip: a.target.ip, port: a.port, protocol: a.protocol })) })) },
          options.timeoutMs ?? 400,
          options.concurrency ?? 1024,
        ),
      ),
    );
    const attempts = chunks.flat(2);
    const flat = results.flat();
    const outcomes: Outcome[] = flat.map((r) => r.outcome);
    const errnos = new Map<number, number>();
    for (const r of flat) if (r.outcome === 'error') errnos.set(r.errno, (errnos.get(r.errno) ?? 0) + 1);
    if (errnos.size > 0) log(`probe: errors by errno: ${[...errnos].map(([e, n]) => `${e} x${n}`).join(', ')}`);
    const { summary, differences } = compare(compiled, attempts, outcomes);
    return { summary, differences, seconds: (performance.now() - started) / 1000, listeners };
  } finally {
    await server.stop();
  }
}
