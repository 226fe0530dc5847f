/**
 * Buckets: class (default operational), the delete-by limit (the shorter of expireAfter and retainFor:
 * both are maxima, so the stricter one binds), versioning and client applications.
 */
import type { BucketModel, Model } from '../model/model.ts';
import type { CompiledBucket } from './types.ts';

/** The delete-by limit of a bucket in seconds, if it has one. */
export function deleteAfter(bucket: Pick<BucketModel, 'expireAfterSeconds' | 'retainForSeconds'>): number | undefined {
  const limits = [bucket.expireAfterSeconds, bucket.retainForSeconds].filter((v): v is number => v !== undefined);
  return limits.length ? Math.min(...limits) : undefined;
}

export function compileBuckets(model: Model): CompiledBucket[] {
  return model.buckets.map((b) => {
    const limit = deleteAfter(b);
    return {
      address: b.address,
      name: b.name,
      class: b.class,
      ...(limit !== undefined ? { deleteAfterSeconds: limit } : {}),
      versioning: b.versioning,
      clients: [...b.clients],
    };
  });
}
