/**
 * The compiled estate: the contract between the pure compiler and every renderer and target.
 *
 * It says WHAT the estate is (networks and their prefixes, instances and their addresses, the complete flow
 * matrix, firewall appliances, frontends, data topology, backup schedule, access policy), never HOW one
 * target realises it: no namespace, interface, bridge or process name appears here. The local target, and
 * later the Terraform (Scaleway), Ansible and Kubernetes exports, each derive their own names from these
 * canonical addresses.
 *
 * Canonical addresses: app/NAME, app/NAME/ZONE/INDEX (instance), db/NAME, cache/NAME, bucket/NAME,
 * net/<owner> (net/app/aides, net/db/main), flow/FROM->TO:PORT[/udp], zone/NAME, witness/NAME, edge/ZONE, vault.
 * All arrays are sorted by address so that output is deterministic.
 */
import type { DataClassName, TierName } from '../spec/schema.ts';

export interface CompiledEstate {
  /** Version of this contract, bumped on incompatible change. */
  format: 1;
  estate: string;
  /** The address pool (CIDR) everything is numbered from. */
  pool: string;
  zones: CompiledZone[];
  witness?: { name: string; address: string };
  /** Addresses reserved for the platform itself (edges, witness, vault), one block per location. */
  infrastructure: InfraBlock[];
  networks: PrivateNetwork[];
  instances: Instance[];
  flows: CompiledFlow[];
  firewalls: FirewallPlan;
  frontends: Frontend[];
  data: DataTopology;
  buckets: CompiledBucket[];
  backups: BackupPlan;
  access: AccessPlan;
  objectives: AppObjectives[];
}

export interface CompiledZone {
  name: string;
  /** Position in the estate's zone list (0-based); stable. */
  index: number;
  address: string; // zone/NAME
}

export interface InfraBlock {
  /** edge/ZONE, witness/NAME or vault. */
  address: string;
  zone?: string;
  cidr: string;
}

/** What a private network belongs to. */
export type OwnerKind = 'app' | 'db' | 'cache' | 'bucket';

/** One private network per application (and per data service); it spans the zones. */
export interface PrivateNetwork {
  address: string; // net/app/aides
  owner: string; // app/aides
  ownerKind: OwnerKind;
  /** The whole network's prefix (spanning zones). */
  cidr: string;
  /** The part of the prefix used in each zone, and its gateway (first host). */
  zones: { zone: string; cidr: string; gateway: string }[];
  /** observe mode: what the firewall would deny towards or from this network is logged, not denied. */
  observe: boolean;
}

export interface Instance {
  address: string; // app/aides/par-1/0, db/main/par-1/0, cache/sessions/par-2/0
  owner: string; // app/aides
  ownerKind: OwnerKind;
  zone: string;
  index: number;
  network: string; // net/app/aides
  ip: string;
  /** Listening ports (main first). */
  ports: { port: number; protocol: 'tcp' | 'udp'; name: string }[];
  /** Command for applications (absent: the built-in workload); absent for data services. */
  run?: string[];
  health?: { http?: string; tcp?: boolean; intervalMs: number };
}

export type FlowKind =
  | 'declared' // written in the estate file
  | 'data' // an application to its database, cache or bucket
  | 'replication' // between members of a data service across zones
  | 'quorum' // consensus members incl. the witness
  | 'edge' // an edge to the backends of a frontend (traffic and health checks)
  | 'backup'; // the vault pulling from data services

export interface CompiledFlow {
  address: string; // flow/app/aides->app/payroll:8080
  from: string; // owner address, or edge/ZONE, witness/NAME, vault
  to: string;
  port: number;
  protocol: 'tcp' | 'udp';
  kind: FlowKind;
  /** Why it exists, for humans (the estate line or the rule that added it). */
  reason: string;
}

export interface FirewallPlan {
  privateNetworksPerFirewall: number;
  unitCost?: number;
  zones: { zone: string; appliances: FirewallAppliance[] }[];
  /** Appliances in all zones (each appliance is an HA pair counted as 2 units). */
  units: number;
  totalCost?: number;
}

export interface FirewallAppliance {
  address: string; // firewall/par-1/0
  zone: string;
  index: number;
  /** Private networks it serves (addresses). */
  networks: string[];
  /** HA pair: 2 units. */
  units: number;
}

export interface Frontend {
  address: string; // frontend/aides.region.example
  host: string;
  app: string; // app/aides
  port: number; // backend port
  backends: { instance: string; zone: string; ip: string; port: number }[];
  health: { http?: string; tcp?: boolean; intervalMs: number };
  policy: AccessPolicy;
}

export interface AccessPolicy {
  public: boolean;
  groups: string[];
  users: string[];
  device: 'any' | 'managed';
  mfa: boolean;
  sources: string[];
  rateLimit?: { requests: number; perSeconds: number };
}

export interface DataTopology {
  databases: DataService[];
  caches: DataService[];
}

export interface DataService {
  address: string; // db/main, cache/sessions
  engine: 'postgres' | 'redis';
  synchronous: boolean;
  primaryZone: string;
  /** One member per zone; the primary's zone first. */
  members: { instance: string; zone: string; ip: string; role: 'primary' | 'replica' }[];
  /** Quorum voters (consensus or sentinels): one per zone plus the witness when there is one. */
  voters: { location: string; zone?: string }[];
  /** Applications using it, with their database name (postgres) where declared. */
  clients: { app: string; database?: string }[];
  port: number;
}

export interface CompiledBucket {
  address: string; // bucket/cameras
  name: string;
  class: DataClassName;
  /** Delete-by limit in seconds (min of expireAfter and retainFor), if any. */
  deleteAfterSeconds?: number;
  versioning: boolean;
  /** Applications that use it. */
  clients: string[];
}

export interface BackupPlan {
  levels: { level: 'zone' | 'cross-zone' | 'vault'; everySeconds: number; keep: Record<string, number>; immutable: boolean; keepsForSeconds: number }[];
  /** What is backed up at which level; an item not allowed at a level (delete-by limit) is listed as excluded. */
  items: BackupItem[];
}

export interface BackupItem {
  address: string; // backup/db/main@vault
  source: string; // db/main, cache/sessions, bucket/x, app/aides/volume/files
  level: 'zone' | 'cross-zone' | 'vault';
  class: DataClassName;
  method: 'postgres-wal' | 'redis-rdb' | 'files';
  included: boolean;
  /** Personal data is encrypted with a key per class and period (crypto-shredding). */
  encryptionKeyClass?: string;
  reason: string;
}

export interface AccessPlan {
  groups: { name: string; users: string[] }[];
  users: { name: string; mfa: boolean }[];
  issuer?: string;
}

export interface AppObjectives {
  app: string;
  tier: TierName;
  rtoSeconds: number;
  rpoSeconds: number;
}

/** One rendered file. */
export interface Artefact {
  path: string;
  content: string;
}
