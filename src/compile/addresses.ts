/**
 * The address plan: the pool cut into blocks of /networkPrefix; the first RESERVED_INFRA_BLOCKS blocks for
 * the platform (backbone, edges, witness, vault), then one block per private network by stable hashed
 * placement, then zone parts, gateways and instance addresses inside each block.
 *
 * Stable hashed placement: a network starts at sha256(its address) mod the number of free blocks and probes
 * linearly on collision, networks taken in address order. The start slot depends only on the network's own
 * address and the pool, so adding an application moves another network only when it steals a slot that
 * network had probed into: rare while the pool is sparse (see the stability test). A sequential numbering
 * would instead renumber every network sorted after the new one.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../spec/diagnostics.ts';
import type { Model } from '../model/model.ts';
import { compareAddresses } from '../model/address.ts';
import type { InfraBlock, Instance, OwnerKind, PrivateNetwork } from './types.ts';

/** Blocks at the start of the pool kept for the platform, whatever the number of zones. */
export const RESERVED_INFRA_BLOCKS = 8;

/** Ports each kind of data service member listens on (main first). */
export const MEMBER_PORTS: Record<Exclude<OwnerKind, 'app'>, Instance['ports']> = {
  db: [
    { port: 5432, protocol: 'tcp', name: 'postgres' },
    { port: 8008, protocol: 'tcp', name: 'patroni' },
    { port: 2379, protocol: 'tcp', name: 'etcd-client' },
    { port: 2380, protocol: 'tcp', name: 'etcd-peer' },
  ],
  cache: [
    { port: 6379, protocol: 'tcp', name: 'redis' },
    { port: 26379, protocol: 'tcp', name: 'sentinel' },
  ],
  bucket: [{ port: 9000, protocol: 'tcp', name: 's3' }],
};

/** An IPv4 prefix as numbers. */
export interface Prefix {
  base: number;
  length: number;
}

/** Parse a.b.c.d/n (already validated by the schema); the base is masked to the prefix. */
export function parseCidr(cidr: string): Prefix {
  const [ip, len] = cidr.split('/') as [string, string];
  const length = Number(len);
  const octets = ip.split('.').map(Number);
  const value = ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
  const size = 2 ** (32 - length);
  return { base: value - (value % size), length };
}

export function formatIp(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

export function formatCidr(prefix: Prefix): string {
  return `${formatIp(prefix.base)}/${prefix.length}`;
}

/** How many blocks of /networkPrefix the pool holds (0 when the block is larger than the pool). */
export function poolBlocks(pool: string, networkPrefix: number): number {
  const { length } = parseCidr(pool);
  return networkPrefix < length ? 0 : 2 ** (networkPrefix - length);
}

/** Equal parts a network block is cut into, one per zone: 2 for 2 zones, 4 for 3 or 4 zones. */
export function zoneParts(zoneCount: number): number {
  return zoneCount <= 2 ? 2 : 4;
}

/** Instances that fit in one zone part: the part minus network, gateway and broadcast addresses. */
export function hostsPerZone(networkPrefix: number, zoneCount: number): number {
  return 2 ** (32 - networkPrefix) / zoneParts(zoneCount) - 3;
}

/** Private networks the estate needs: one per application, database, cache and bucket. */
export function networkOwners(model: Model): { owner: string; kind: OwnerKind; zones: string[]; perZone: number; observe: boolean }[] {
  const owners = [
    ...model.applications.map((a) => ({ owner: a.address, kind: 'app' as const, zones: a.zones, perZone: a.instances, observe: a.observe })),
    ...model.databases.map((d) => ({ owner: d.address, kind: 'db' as const, zones: model.zones, perZone: 1, observe: model.observe })),
    ...model.caches.map((c) => ({ owner: c.address, kind: 'cache' as const, zones: model.zones, perZone: 1, observe: model.observe })),
    ...model.buckets.map((b) => ({ owner: b.address, kind: 'bucket' as const, zones: model.zones, perZone: 1, observe: model.observe })),
  ];
  return owners.sort((a, b) => compareAddresses(`net/${a.owner}`, `net/${b.owner}`));
}

/** Start slot of a network: the first 48 bits of sha256(address), mod the number of free blocks. */
export function startSlot(address: string, freeBlocks: number): number {
  return createHash('sha256').update(address).digest().readUIntBE(0, 6) % freeBlocks;
}

/**
 * Slot (0-based, after the reserved blocks) of each network address, by hashed start and linear probing.
 * `addresses` must be sorted; requires addresses.length <= freeBlocks.
 */
export function placeNetworks(addresses: readonly string[], freeBlocks: number): Map<string, number> {
  const taken = new Uint8Array(freeBlocks);
  const slots = new Map<string, number>();
  for (const address of addresses) {
    let slot = startSlot(address, freeBlocks);
    while (taken[slot]) slot = (slot + 1) % freeBlocks;
    taken[slot] = 1;
    slots.set(address, slot);
  }
  return slots;
}

export interface AddressPlan {
  infrastructure: InfraBlock[];
  networks: PrivateNetwork[];
  instances: Instance[];
  diagnostics: Diagnostic[];
}

/** Number the whole estate; on a pool too small, a diagnostic and empty lists. */
export function planAddresses(model: Model): AddressPlan {
  const diagnostics: Diagnostic[] = [];
  const owners = networkOwners(model);
  const pool = parseCidr(model.addressPool);
  const total = poolBlocks(model.addressPool, model.networkPrefix);
  const needed = RESERVED_INFRA_BLOCKS + owners.length;
  if (total < needed) {
    diagnostics.push({
      severity: 'error',
      code: 'E_POOL_TOO_SMALL',
      message: `the address pool ${model.addressPool} holds ${total} networks of /${model.networkPrefix}; the estate needs ${needed} (${RESERVED_INFRA_BLOCKS} for the platform and ${owners.length} private networks)`,
      hint: 'use a larger addressPool (default 198.18.0.0/15) or a longer networkPrefix',
      path: ['addressPool'],
    });
    return { infrastructure: [], networks: [], instances: [], diagnostics };
  }
  const blockSize = 2 ** (32 - model.networkPrefix);
  const block = (i: number): Prefix => ({ base: pool.base + i * blockSize, length: model.networkPrefix });

  const infraNames = [
    { address: 'backbone' },
    ...model.zones.map((zone) => ({ address: `edge/${zone}`, zone })),
    ...(model.witness ? [{ address: `witness/${model.witness}` }] : []),
    { address: 'vault' },
  ];
  const infrastructure: InfraBlock[] = infraNames.map((item, i) => ({ ...item, cidr: formatCidr(block(i)) }));

  const parts = zoneParts(model.zones.length);
  const partSize = blockSize / parts;
  const partLength = model.networkPrefix + Math.log2(parts);
  const capacity = hostsPerZone(model.networkPrefix, model.zones.length);
  const slots = placeNetworks(
    owners.map((o) => `net/${o.owner}`),
    total - RESERVED_INFRA_BLOCKS,
  );
  const networks: PrivateNetwork[] = [];
  const instances: Instance[] = [];
  const apps = new Map(model.applications.map((a) => [a.address, a]));
  for (const owner of owners) {
    const address = `net/${owner.owner}`;
    const prefix = block(RESERVED_INFRA_BLOCKS + slots.get(address)!);
    if (owner.perZone > capacity) {
      diagnostics.push({
        severity: 'error',
        code: 'E_NETWORK_TOO_SMALL',
        message: `${owner.perZone} instances per zone do not fit in a /${partLength} zone part (at most ${capacity})`,
        address: owner.owner,
        hint: `lower instances, or use a shorter networkPrefix than /${model.networkPrefix}`,
        path: owner.kind === 'app' ? ['applications', owner.owner.slice(4), 'instances'] : ['networkPrefix'],
      });
      continue;
    }
    const zones = owner.zones.map((zone) => {
      const base = prefix.base + model.zones.indexOf(zone) * partSize;
      return { zone, base, cidr: formatCidr({ base, length: partLength }), gateway: formatIp(base + 1) };
    });
    networks.push({
      address,
      owner: owner.owner,
      ownerKind: owner.kind,
      cidr: formatCidr(prefix),
      zones: zones.map(({ zone, cidr, gateway }) => ({ zone, cidr, gateway })),
      observe: owner.observe,
    });
    const app = apps.get(owner.owner);
    for (const part of zones) {
      for (let index = 0; index < owner.perZone; index++) {
        const instance: Instance = {
          address: `${owner.owner}/${part.zone}/${index}`,
          owner: owner.owner,
          ownerKind: owner.kind,
          zone: part.zone,
          index,
          network: address,
          ip: formatIp(part.base + 2 + index),
          ports: app
            ? [{ port: app.port, protocol: 'tcp', name: 'main' }, ...app.ports.map((p) => ({ port: p.port, protocol: p.protocol, name: p.name }))]
            : MEMBER_PORTS[owner.kind as Exclude<OwnerKind, 'app'>].map((p) => ({ ...p })),
        };
        if (app?.run) instance.run = [...app.run];
        if (app?.health) instance.health = healthOf(app.health);
        instances.push(instance);
      }
    }
  }
  instances.sort((a, b) => compareAddresses(a.address, b.address));
  return { infrastructure, networks, instances, diagnostics };
}

/** A model health check in the compiled form (milliseconds). */
export function healthOf(health: { http?: string; tcp?: boolean; intervalSeconds: number }): { http?: string; tcp?: boolean; intervalMs: number } {
  return {
    ...(health.http !== undefined ? { http: health.http } : {}),
    ...(health.tcp !== undefined ? { tcp: health.tcp } : {}),
    intervalMs: health.intervalSeconds * 1000,
  };
}
