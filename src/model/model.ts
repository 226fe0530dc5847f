/**
 * The resolved estate: the spec with every default applied, durations in seconds, references resolved to
 * canonical addresses (app/aides, db/main, cache/sessions, bucket/cameras) and every list sorted, so that the
 * compiler never looks at a default or at the spec's key order again.
 *
 * Built by resolveEstate (resolve.ts) from a spec that passed validation.
 */
import type { DataClassName, TierName } from '../spec/schema.ts';
import type { AccessPolicy } from '../compile/types.ts';

/** Owner kinds of the estate's objects, as they appear in canonical addresses. */
export type ModelKind = 'app' | 'db' | 'cache' | 'bucket';

export interface Model {
  estate: string;
  /** In the estate's order: zone i owns the i-th part of every network block. */
  zones: string[];
  witness?: string;
  /** CIDR, default 198.18.0.0/15. */
  addressPool: string;
  /** Prefix length of one private network (default 26). */
  networkPrefix: number;
  firewalls: { privateNetworksPerFirewall: number; unitCost?: number };
  observe: boolean;
  /** Sorted by address. */
  applications: AppModel[];
  databases: DataServiceModel[];
  caches: DataServiceModel[];
  buckets: BucketModel[];
  /** In the estate's order. */
  backups: BackupLevelModel[];
  access: AccessModel;
}

export interface AppModel {
  address: string; // app/aides
  name: string;
  tier: TierName;
  compute: 'baremetal' | 'instance' | 'kubernetes' | 'gpu';
  vendor?: string;
  description?: string;
  /** Instances per zone. */
  instances: number;
  /** Zones the application runs in, in the estate's order. */
  zones: string[];
  run?: string[];
  port: number;
  /** Extra ports, in the spec's order. */
  ports: { name: string; port: number; protocol: 'tcp' | 'udp' }[];
  health?: { http?: string; tcp?: boolean; intervalSeconds: number };
  expose?: ExposeModel;
  /** Declared flows with the target resolved; `index` is the position in the spec (for diagnostics). */
  flows: FlowModel[];
  data: {
    database?: { service: string; name: string }; // service: db/main
    cache?: string; // cache/sessions
    bucket?: string; // bucket/cameras
    volumes: { name: string; path: string; class: DataClassName }[];
  };
  objectives: { rtoSeconds: number; rpoSeconds: number };
  observe: boolean;
}

/** The exposure of an application: its host and the access policy the compiled frontend carries as is. */
export interface ExposeModel extends AccessPolicy {
  host: string;
}

export interface FlowModel {
  /** Target address: app/NAME, db/NAME, cache/NAME or bucket/NAME. */
  to: string;
  /** Declared port, or the target's main port. */
  port: number;
  protocol: 'tcp' | 'udp';
  /** Position in applications.NAME.flows. */
  index: number;
}

export interface DataServiceModel {
  address: string; // db/main, cache/sessions
  name: string;
  kind: 'db' | 'cache';
  engine: 'postgres' | 'redis';
  synchronous: boolean;
  version?: number;
  /** Applications that use it (data.database / data.cache, or a declared flow), sorted by app address. */
  clients: { app: string; database?: string }[];
}

export interface BucketModel {
  address: string; // bucket/cameras
  name: string;
  class: DataClassName;
  expireAfterSeconds?: number;
  retainForSeconds?: number;
  versioning: boolean;
  /** Applications that use it (data.bucket or a declared flow), sorted. */
  clients: string[];
  /** Where it was declared: ['buckets', NAME] or ['applications', APP, 'data', 'bucket']. */
  path: (string | number)[];
}

export interface BackupLevelModel {
  level: 'zone' | 'cross-zone' | 'vault';
  everySeconds: number;
  keep: Record<string, number>;
  immutable: boolean;
  /** Position in the spec's backups list. */
  index: number;
}

export interface AccessModel {
  groups: { name: string; users: string[] }[];
  /** Every user named anywhere (access.users, groups, expose allow user:X), sorted. */
  users: { name: string; displayName?: string; mfa: boolean }[];
  issuer?: string;
}

/** Main port of each kind of data service (flows to db/X default to it). */
export const SERVICE_PORTS = { db: 5432, cache: 6379, bucket: 9000 } as const;
/** Default health check interval (the edge marks a dead backend down after two misses). */
export const DEFAULT_HEALTH_INTERVAL_SECONDS = 1;
