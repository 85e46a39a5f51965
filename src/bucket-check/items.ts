import { storage } from 'wxt/utils/storage';
import type { BucketCheck } from './facts';

/**
 * The last "Check my bucket" result of each profile, by profile id. `local:`
 * so the upload path keeps what was observed across restarts. Written only by
 * the background (src/background/bucket-check-service.ts); no secret in it.
 * Bump `version` and add a numbered migration when `BucketCheck` changes shape.
 * An added optional answer needs none: a check stored before it (say, without
 * `checksums`) reads as "not asked yet", which is true, and the next check fills it.
 * Still version 1 for the same reason: checks of presign-service profiles only added what a
 * version-1 check can lack (`address.serviceUrl`, new line ids), and every
 * check stored before them is of a keys profile, which has no service.
 */
export const bucketChecksItem = storage.defineItem<Record<string, BucketCheck>>('local:bucketChecks', {
  fallback: {},
  version: 1,
});
