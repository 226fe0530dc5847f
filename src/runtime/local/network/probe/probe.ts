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
import { connectAttempts, listListeners, probeBinary, serve, type ServeRequest } from './helper.ts';
import { CANARY_TCP, CANARY_UDP, createComparison, endpointsOf, standInPorts, targetsOf, type Attempt, type Difference, type Endpoint, type ProbeSummary } from './matrix.ts';

export interface ProbeOptions {
  /** A silent target costs this much (default 400 ms). */
  timeoutMs?: number;
  /** Attempts in flight per worker (default 4096: silent targets cost the timeout, so width is what bounds a probe during a zone loss). */
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
    const byTarget = new Map<string, { port: number; protocol: 'tcp' | 'udp' }[]>();
    for (const w of wanted) {
      const list = byTarget.get(w.target.namespace) ?? [];
      list.push({ port: w.port, protocol: w.protocol });
      byTarget.set(w.target.namespace, list);
    }
    const plan = endpoints
      .map((source) => ({ source, targets: targetsOf(source, endpoints) }))
      .map((p) => ({ ...p, count: p.targets.reduce((n, t) => n + (byTarget.get(t.namespace)?.length ?? 0), 0) }))
      .filter((p) => p.count > 0);
    const total = plan.reduce((n, p) => n + p.count, 0);
    const workers = Math.max(1, Math.min(options.workers ?? Math.min(availableParallelism(), 4), plan.length));
    log(`probe: ${plan.length} sources, ${targets.length} targets, ${total} attempts, ${workers} workers`);
    // Contiguous chunks of sources of about equal attempt counts, one per worker.
    const chunks: (typeof plan)[] = Array.from({ length: workers }, () => []);
    let acc = 0;
    for (const p of plan) {
      chunks[Math.min(workers - 1, Math.floor((acc * workers) / Math.max(1, total)))]!.push(p);
      acc += p.count;
    }
    const inputOf = (chunk: typeof plan): string => {
      const parts: string[] = [];
      for (const { source, targets: ts } of chunk) {
        parts.push(`s ${source.namespace}\n`);
        for (const t of ts) for (const w of byTarget.get(t.namespace) ?? []) parts.push(`t ${t.ip} ${w.port} ${w.protocol}\n`);
      }
      return parts.join('');
    };
    const results = await Promise.all(chunks.map((chunk) => connectAttempts(binary, inputOf(chunk), options.timeoutMs ?? 400, options.concurrency ?? 4096)));
    // Walk the same order again to pair each outcome with its attempt.
    const comparison = createComparison(compiled);
    chunks.forEach((chunk, c) => {
      const outcomes = results[c]!;
      let i = 0;
      for (const { source, targets: ts } of chunk) {
        for (const t of ts) for (const w of byTarget.get(t.namespace) ?? []) comparison.add(source, t, w.port, w.protocol, outcomes[i++] ?? 'error');
      }
    });
    const { summary, differences } = comparison.finish();
    if (summary.errors > 0) log(`probe: ${summary.errors} attempts failed with an unexpected error`);
    return { summary, differences, seconds: (performance.now() - started) / 1000, listeners };
  } finally {
    await server.stop();
  }
}
