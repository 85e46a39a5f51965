/** "Check my bucket": runs the checks for a profile, keeps the last result per profile, and applies a fix. */
import type { S3Client } from '@aws-sdk/client-s3';
import { addAutoDeleteRule, type TagProbe } from '../bucket-check/auto-delete-check';
import { sameBucket, withFact, type BucketCheck, type BucketFact } from '../bucket-check/facts';
import { addAbortRule } from '../bucket-check/lifecycle';
import { runBucketCheck, wantedRules } from '../bucket-check/run';
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
      const client = deps.client(connection);
      const stored = (await deps.store.load())[profileId];
      const wanted = wantedRules(profile);
      let line: BucketFact;
      if (fix === 'add-abort-rule') line = await addAbortRule(client, connection.bucket, wanted);
      else if (fix === 'add-expiry-rule') {
        // Auto-delete was turned off since the check offered the rule: the whole check says what holds now.
        if (!profile.autoDeleteDays) return checkBucket({ profileId });
        // The Fix is offered only once the tag was seen kept.
        const tags: TagProbe = { kind: 'answer', answer: stored?.tagging ?? 'kept' };
        line = await addAutoDeleteRule(client, connection.bucket, profile.autoDeleteDays, tags, wanted);
      }
      // A page sending another fix is a bug to hear about (the type stops it in our own code).
      else throw new TypeError(`Not a bucket fix: ${String(fix)}`);
      // Without a checklist of this bucket with this line to update, the whole check runs: the page shows one list.
      if (!stored || !sameBucket(stored.address, profile) || !stored.facts.some((f) => f.id === line.id)) return checkBucket({ profileId });
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
