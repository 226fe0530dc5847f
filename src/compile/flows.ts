/**
 * The complete flow matrix: every connection the estate needs, and therefore every one a firewall allows.
 *
 * Declared flows, data flows (an application to its database, cache or bucket, even when not declared),
 * replication between the members of each data service, quorum flows to and from the witness, edge flows
 * (each zone's edge to every exposed application) and backup flows (the vault pulls; nothing in a zone
 * opens a connection to the vault). One flow per (from, to, port, protocol): the first kind in FLOW_KINDS
 * order wins and reasons are merged sorted, so the result does not depend on generation order.
 */
import type { Diagnostic } from '../spec/diagnostics.ts';
import type { Model } from '../model/model.ts';
import { compareAddresses, flowAddress } from '../model/address.ts';
import type { CompiledFlow, FlowKind } from './types.ts';

/** Priority when one connection is needed for several reasons. */
export const FLOW_KINDS: readonly FlowKind[] = ['declared', 'data', 'edge', 'replication', 'quorum', 'backup'];

export const PORTS = {
  postgres: 5432,
  patroni: 8008,
  etcdClient: 2379,
  etcdPeer: 2380,
  redis: 6379,
  sentinel: 26379,
  s3: 9000,
} as const;

/** Build the flow matrix, sorted by address; unknown targets become diagnostics (validation also checks). */
export function compileFlows(model: Model): { flows: CompiledFlow[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const byAddress = new Map<string, { flow: CompiledFlow; reasons: string[] }>();
  const add = (from: string, to: string, port: number, protocol: 'tcp' | 'udp', kind: FlowKind, reason: string): void => {
    const address = flowAddress(from, to, port, protocol);
    const existing = byAddress.get(address);
    if (!existing) {
      byAddress.set(address, { flow: { address, from, to, port, protocol, kind, reason }, reasons: [reason] });
      return;
    }
    if (!existing.reasons.includes(reason)) existing.reasons.push(reason);
    if (FLOW_KINDS.indexOf(kind) < FLOW_KINDS.indexOf(existing.flow.kind)) existing.flow.kind = kind;
  };

  const known = new Set<string>([
    ...model.applications.map((a) => a.address),
    ...model.databases.map((d) => d.address),
    ...model.caches.map((c) => c.address),
    ...model.buckets.map((b) => b.address),
  ]);

  for (const app of model.applications) {
    for (const flow of app.flows) {
      if (!known.has(flow.to)) {
        diagnostics.push({
          severity: 'error',
          code: 'E_UNKNOWN_FLOW_TARGET',
          message: `flow target ${flow.to} is not declared`,
          address: app.address,
          path: ['applications', app.name, 'flows', flow.index, 'to'],
        });
        continue;
      }
      add(app.address, flow.to, flow.port, flow.protocol, 'declared', `applications.${app.name}.flows[${flow.index}]`);
    }
    const uses: [string | undefined, number, 'database' | 'cache' | 'bucket'][] = [
      [app.data.database?.service, PORTS.postgres, 'database'],
      [app.data.cache, PORTS.redis, 'cache'],
      [app.data.bucket, PORTS.s3, 'bucket'],
    ];
    for (const [to, port, key] of uses) {
      if (to === undefined) continue;
      if (!known.has(to)) {
        diagnostics.push({
          severity: 'error',
          code: 'E_UNKNOWN_DATA_SERVICE',
          message: `${to} is not declared`,
          address: app.address,
          path: ['applications', app.name, 'data', key],
        });
        continue;
      }
      add(app.address, to, port, 'tcp', 'data', `applications.${app.name}.data.${key}`);
    }
    if (app.expose) {
      for (const zone of model.zones) add(`edge/${zone}`, app.address, app.port, 'tcp', 'edge', `applications.${app.name}.expose (${app.expose.host})`);
    }
  }
  const witness = model.witness ? `witness/${model.witness}` : undefined;
  for (const db of model.databases) {
    add(db.address, db.address, PORTS.postgres, 'tcp', 'replication', `${db.address} streaming replication`);
    add(db.address, db.address, PORTS.patroni, 'tcp', 'replication', `${db.address} Patroni REST API`);
    for (const port of [PORTS.etcdClient, PORTS.etcdPeer]) {
      add(db.address, db.address, port, 'tcp', 'quorum', `${db.address} etcd members`);
      if (witness) {
        add(db.address, witness, port, 'tcp', 'quorum', `${db.address} etcd member on the witness`);
        add(witness, db.address, port, 'tcp', 'quorum', `${db.address} etcd member on the witness`);
      }
    }
  }
  for (const cache of model.caches) {
    add(cache.address, cache.address, PORTS.redis, 'tcp', 'replication', `${cache.address} replication`);
    add(cache.address, cache.address, PORTS.sentinel, 'tcp', 'replication', `${cache.address} sentinels`);
    if (witness) {
      add(cache.address, witness, PORTS.sentinel, 'tcp', 'quorum', `${cache.address} sentinel on the witness`);
      add(witness, cache.address, PORTS.sentinel, 'tcp', 'quorum', `${cache.address} sentinel on the witness`);
      // The witness sentinel monitors the master and replicas directly.
      add(witness, cache.address, PORTS.redis, 'tcp', 'quorum', `${cache.address} sentinel on the witness`);
    }
  }
  for (const bucket of model.buckets) add(bucket.address, bucket.address, PORTS.s3, 'tcp', 'replication', `${bucket.address} replication`);

  if (model.backups.length > 0) {
    for (const db of model.databases) add('vault', db.address, PORTS.postgres, 'tcp', 'backup', `the vault pulls ${db.address} (base backups and WAL)`);
    for (const cache of model.caches) add('vault', cache.address, PORTS.redis, 'tcp', 'backup', `the vault pulls ${cache.address} (RDB snapshots)`);
    for (const bucket of model.buckets) add('vault', bucket.address, PORTS.s3, 'tcp', 'backup', `the vault pulls ${bucket.address} (objects)`);
  }

  const flows = [...byAddress.values()]
    .map(({ flow, reasons }) => (reasons.length === 1 ? flow : { ...flow, reason: reasons.sort(compareAddresses).join('; ') }))
    .sort((a, b) => compareAddresses(a.address, b.address));
  return { flows, diagnostics };
}
