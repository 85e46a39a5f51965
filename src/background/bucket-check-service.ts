/** "Check my bucket": runs the checks for a profile, keeps the last result per profile, and applies a fix. */
import type { S3Client } from '@aws-sdk/client-s3';
import { sameBucket, withFact, type BucketCheck } from '../bucket-check/facts';
import { addAbortRule } from '../bucket-check/lifecycle';
import { runBucketCheck } from '../bucket-check/run';
import { runServiceCheck } from '../bucket-check/run-service';
import { checkThrough, openKeysBucket, type DestinationDeps } from '../destination/open';
import type { BucketCheckHandlers } from '../messaging/protocol';
import type { Result } from '../result';
import type { S3Connection } from '../s3/client';
import { findProfile } from '../settings/profile-store';

/** Where the results live (a `storage.local` item in the extension, a variable in tests). */
export interface BucketCheckStore {
  load(): Promise<Record<string, BucketCheck>>;
  save(checks: Record<string, BucketCheck>): Promise<void>;
}

export type BucketCheckServiceDeps = Pick<DestinationDeps, 'loadProfiles' | 'secrets' | 'hasHostPermission' | 'fetch' | 'now' | 'uuid'> & {
  client(conn: S3Connection): S3Client;
  store: BucketCheckStore;
};

/** Reads of the stored checks for the upload path (`DestinationDeps.bucketCheck`). */
export function storedBucketCheck(store: BucketCheckStore): (profileId: string) => Promise<BucketCheck | null> {
  return async (profileId) => (await store.load())[profileId] ?? null;
}

export function createBucketCheckHandlers(deps: BucketCheckServiceDeps): BucketCheckHandlers {
  // One write at a time: two checks finishing together must not drop each other's result.
  let writes = Promise.resolve();
  function keep(check: BucketCheck): Promise<void> {
    const write = writes.then(async () => {
      const profiles = (await deps.loadProfiles()).profiles;
      const all = await deps.store.load();
      // Results of deleted profiles go with the next write.
      const kept = Object.fromEntries(Object.entries(all).filter(([id]) => profiles.some((p) => p.id === id)));
      await deps.store.save({ ...kept, [check.profileId]: check });
    });
    writes = write.catch(() => {});
    return write;
  }

  async function checkBucket({ profileId }: { profileId: string }): Promise<Result<BucketCheck>> {
    const checked = await checkThrough(deps, profileId, {
      bucket: (profile, connection) => runBucketCheck({ ...deps, client: deps.client(connection) }, profile, connection),
      service: (profile, open) => runServiceCheck(deps, profile, open),
    });
    if (!checked.ok) return checked;
    await keep(checked.value);
    return checked;
  }

  return {
    checkBucket,

    async fixBucket({ profileId, fix }) {
      const opened = await openKeysBucket(deps, profileId);
      if (!opened.ok) return opened;
      // A service's checklist offers no fix; a page still showing the bucket's list from before the profile changed gets the new one.
      if (!opened.value) return checkBucket({ profileId });
      const { profile, connection } = opened.value;
      // The only fix there is. A page sending another is a bug to hear about (the type stops it in our own code).
      if (fix !== 'add-abort-rule') throw new TypeError(`Not a bucket fix: ${String(fix)}`);
      const line = await addAbortRule(deps.client(connection), connection.bucket);
      const stored = (await deps.store.load())[profileId];
      // Without a checklist of this bucket to update, the whole check runs: the page shows one list.
      if (!stored || !sameBucket(stored.address, profile)) return checkBucket({ profileId });
      const updated = { ...withFact(stored, line), checkedAt: deps.now().getTime() };
      await keep(updated);
      return { ok: true, value: updated };
    },

    async getBucketCheck({ profileId }) {
      const profile = findProfile(await deps.loadProfiles(), profileId);
      const stored = (await deps.store.load())[profileId];
      return profile && stored && sameBucket(stored.address, profile) ? stored : null;
    },
  };
}
