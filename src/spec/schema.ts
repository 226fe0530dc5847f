/**
 * The estate file format, defined once.
 *
 * Everything else derives from this module: the TypeScript types (z.infer), the structural checks run by
 * `validate`, and schema/estate.schema.json (scripts/gen-schema.ts; a unit test fails when it is stale).
 * Meaning checks that need the whole estate (unknown flow targets, port conflicts, ...) live in validate.ts.
 *
 * Nothing here knows about the local target: a private network belongs to an application and spans the
 * zones, as a cloud provider's regional private network does.
 */
import { z } from 'zod';

/** Names that become kernel objects, file names and config identifiers: lower-case DNS-label-like. */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
/** Durations: a positive integer and a unit (s, m, h, d, w, y), or 0s. Months are not a unit: use 30d. */
export const DURATION_PATTERN = /^(0s|[1-9][0-9]{0,5}(s|m|h|d|w|y))$/;
const HOSTNAME_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const CIDR_PATTERN = /^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}\/([0-9]|[12][0-9]|3[0-2])$/;

export const Name = z.string().regex(NAME_PATTERN, {
  message: 'must start with a lower-case letter and contain only a-z, 0-9 and "-" (at most 63 characters)',
});
export const Duration = z.string().regex(DURATION_PATTERN, {
  message: 'must be a duration such as 30s, 15m, 1h, 30d, 2w or 2y',
});
export const Cidr = z.string().regex(CIDR_PATTERN, { message: 'must be an IPv4 prefix such as 198.18.0.0/15' });
export const Port = z.number().int().min(1).max(65535);
export const Protocol = z.enum(['tcp', 'udp']);

export const TIERS = ['critical', 'important', 'standard'] as const;
export const Tier = z.enum(TIERS);
export const COMPUTE_KINDS = ['baremetal', 'instance', 'kubernetes', 'gpu'] as const;
export const ComputeKind = z.enum(COMPUTE_KINDS);
/** Data classes: what the data is, which sets how backups may keep it. */
export const DATA_CLASSES = ['personal', 'footage', 'operational', 'public'] as const;
export const DataClass = z.enum(DATA_CLASSES);

export const Objectives = z
  .strictObject({
    rto: Duration.optional().describe('Recovery time objective: longest acceptable outage.'),
    rpo: Duration.optional().describe('Recovery point objective: longest acceptable window of lost writes.'),
  })
  .describe('Recovery objectives; a tier sets defaults, an application may override them.');

export const Health = z
  .strictObject({
    http: z.string().regex(/^\/[A-Za-z0-9._~\-/]*$/, { message: 'must be an absolute URL path such as /healthz' }).optional(),
    tcp: z.boolean().optional().describe('Check that the main port accepts a connection.'),
    interval: Duration.optional(),
  })
  .describe('Health check of each instance; an exposed application needs one.');

export const Expose = z
  .strictObject({
    host: z.string().regex(HOSTNAME_PATTERN, { message: 'must be a lower-case DNS host name' }),
    allow: z
      .array(z.string().regex(/^(public|group:[a-z][a-z0-9-]{0,62}|user:[a-z][a-z0-9._-]{0,62})$/, {
        message: 'must be "public", "group:NAME" or "user:NAME"',
      }))
      .min(1),
    device: z.enum(['any', 'managed']).optional().describe('managed: a valid, unrevoked client certificate is required.'),
    mfa: z.boolean().optional(),
    sources: z.array(Cidr).optional().describe('Source networks allowed to reach the frontend.'),
    rateLimit: z.strictObject({ requests: z.number().int().min(1), per: Duration }).optional(),
  })
  .describe('Exposure through the edges, with who may access.');

/** A flow target: an application name, or db/NAME, cache/NAME, bucket/NAME. */
export const FlowTarget = z.string().regex(/^((db|cache|bucket)\/)?[a-z][a-z0-9-]{0,62}$/, {
  message: 'must be an application name, or db/NAME, cache/NAME or bucket/NAME',
});

export const Flow = z.strictObject({
  to: FlowTarget,
  port: Port.optional().describe("Defaults to the target's main port."),
  protocol: Protocol.optional(),
});

export const ExtraPort = z.strictObject({ name: Name, port: Port, protocol: Protocol.optional() });

export const BucketSpec = z
  .strictObject({
    class: DataClass.optional(),
    expireAfter: Duration.optional().describe('Delete-by limit: objects are deleted this long after creation.'),
    retainFor: Duration.optional().describe('Delete-by limit: objects are kept at most this long.'),
    versioning: z.boolean().optional(),
  })
  .describe('An object-storage bucket; expireAfter and retainFor are maxima, never minima.');

export const AppData = z.strictObject({
  database: z.strictObject({ cluster: Name, name: Name }).optional(),
  cache: z.strictObject({ cluster: Name }).optional(),
  bucket: BucketSpec.extend({ name: Name }).optional(),
  volumes: z.array(z.strictObject({ name: Name, path: z.string().regex(/^\/[A-Za-z0-9._\-/]*$/), class: DataClass.optional() })).optional(),
});

export const Application = z.strictObject({
  tier: Tier.optional(),
  compute: ComputeKind.optional(),
  vendor: z.string().max(80).optional(),
  description: z.string().max(400).optional(),
  instances: z.number().int().min(1).max(28).optional().describe('Instances per zone (default 1).'),
  zones: z.array(Name).min(1).optional().describe('Zones the application runs in (default: all).'),
  run: z.array(z.string()).min(1).optional().describe('Command and arguments; default: the built-in workload.'),
  port: Port.optional().describe('Main TCP port (default 8080).'),
  ports: z.array(ExtraPort).optional(),
  health: Health.optional(),
  expose: Expose.optional(),
  flows: z.array(Flow).optional(),
  data: AppData.optional(),
  objectives: Objectives.optional(),
  observe: z.boolean().optional().describe('Log what the firewall would deny instead of denying it.'),
});

export const Database = z.strictObject({
  engine: z.literal('postgres'),
  synchronous: z.boolean().optional(),
  version: z.number().int().optional(),
});

export const Cache = z.strictObject({ engine: z.literal('redis') });

export const Keep = z.strictObject({
  last: z.number().int().min(1).optional(),
  hourly: z.number().int().min(1).optional(),
  daily: z.number().int().min(1).optional(),
  weekly: z.number().int().min(1).optional(),
  monthly: z.number().int().min(1).optional(),
  yearly: z.number().int().min(1).optional(),
});

export const BACKUP_LEVELS = ['zone', 'cross-zone', 'vault'] as const;
export const BackupLevel = z.strictObject({
  level: z.enum(BACKUP_LEVELS),
  every: Duration,
  keep: Keep,
  immutable: z.boolean().optional().describe('Write-once: nothing in a zone can delete or rewrite it.'),
});

export const Access = z.strictObject({
  groups: z.record(Name, z.array(z.string().regex(/^[a-z][a-z0-9._-]{0,62}$/))).optional(),
  users: z.record(z.string().regex(/^[a-z][a-z0-9._-]{0,62}$/), z.strictObject({ name: z.string().max(120).optional(), mfa: z.boolean().optional() })).optional(),
  issuer: z.string().url().optional().describe('External OpenID Connect issuer; default: the built-in provider.'),
});

export const Estate = z.strictObject({
  $schema: z.string().optional(),
  estate: Name.describe('Estate name; prefixes every kernel object and file archipel creates.'),
  zones: z.array(Name).min(2).max(4),
  witness: Name.optional().describe('A third location holding quorum members.'),
  addressPool: Cidr.optional().describe('Default 198.18.0.0/15.'),
  networkPrefix: z.number().int().min(20).max(28).optional().describe('Prefix length of each private network (default 26).'),
  firewalls: z.strictObject({ privateNetworksPerFirewall: z.number().int().min(1).max(1000).optional(), unitCost: z.number().min(0).optional() }).optional(),
  observe: z.boolean().optional(),
  objectives: z.partialRecord(Tier, Objectives).optional().describe('Override the default objectives of a tier.'),
  applications: z.record(Name, Application),
  databases: z.record(Name, Database).optional(),
  caches: z.record(Name, Cache).optional(),
  buckets: z.record(Name, BucketSpec).optional(),
  backups: z.array(BackupLevel).optional(),
  access: Access.optional(),
});

export type EstateSpec = z.infer<typeof Estate>;
export type ApplicationSpec = z.infer<typeof Application>;
export type FlowSpec = z.infer<typeof Flow>;
export type BucketSpecT = z.infer<typeof BucketSpec>;
export type BackupLevelSpec = z.infer<typeof BackupLevel>;
export type TierName = (typeof TIERS)[number];
export type DataClassName = (typeof DATA_CLASSES)[number];

/** Default objectives per tier (overridable per estate and per application). */
export const DEFAULT_OBJECTIVES: Record<TierName, { rto: string; rpo: string }> = {
  critical: { rto: '5m', rpo: '0s' },
  important: { rto: '1h', rpo: '15m' },
  standard: { rto: '4h', rpo: '1d' },
};
export const DEFAULT_POOL = '198.18.0.0/15';
export const DEFAULT_NETWORK_PREFIX = 26;
export const DEFAULT_PORT = 8080;
export const DEFAULT_NETWORKS_PER_FIREWALL = 20;
