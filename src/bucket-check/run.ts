/**
 * "Check my bucket" for a profile with the user's own keys: runs every check
 * that applies and returns the checklist, in a fixed order. Requests go
 * through the background's S3 client and presigned URLs, with `fetch`
 * injected, so it runs in Node against test servers as in the browser.
 */
import type { S3Connection } from '../s3/client';
import type { KeysProfile } from '../settings/profile';
import { t } from '../i18n/t';
import { checkClock, checkKeysAndRegion } from './access';
import { checkObjectLock, checkVersioning } from './bucket-settings';
import { checkChecksums } from './checksums';
import { checkConditionalWrites } from './conditional';
import { CHECK_IDS, fact, type BucketCheck, type BucketFact, type ChecksumAnswers, type ConditionalWrites, type TagAnswer } from './facts';
import { ABORT_RULE, lifecycleFact, readLifecycle } from './lifecycle';
import { autoDeleteFact, probeTags, type TagProbe } from './auto-delete-check';
import { checksFor } from './lines';
import { autoDeleteRule } from '../s3/auto-delete';
import type { LifecycleRule } from '@aws-sdk/client-s3';
import { checkCustomLink, checkPublicLink } from './links';
import { checkMultipart } from './multipart-check';
import { checkProbe, type ProbeDeps } from './probe';

export type BucketCheckDeps = ProbeDeps;

export { checksFor } from './lines';

/** Every lifecycle rule S3 Drop needs on the profile's bucket: what a configuration to paste holds. */
export function wantedRules(profile: KeysProfile): LifecycleRule[] {
  return profile.autoDeleteDays ? [ABORT_RULE, autoDeleteRule(profile.autoDeleteDays)] : [ABORT_RULE];
}

function inOrder(facts: BucketFact[]): BucketFact[] {
  return [...facts].sort((a, b) => CHECK_IDS.indexOf(a.id) - CHECK_IDS.indexOf(b.id));
}

export async function runBucketCheck(deps: BucketCheckDeps, profile: KeysProfile, conn: S3Connection): Promise<BucketCheck> {
  const ids = checksFor(profile);
  const ctx = { bucket: conn.bucket, region: conn.region, endpoint: conn.endpoint };
  const address = { bucket: profile.bucket, endpoint: profile.endpoint, region: profile.region, forcePathStyle: profile.forcePathStyle };
  const result = (
    facts: BucketFact[],
    answers: { conditionalWrites?: ConditionalWrites; checksums?: ChecksumAnswers; tagging?: TagAnswer } = {},
  ): BucketCheck => {
    // Whatever was not asked says why, so the list always has the same lines: the link lines need the test file stored.
    const why = facts.some((f) => f.id === 'probe') ? t('check_skippedAfterProbe') : t('check_skippedAfterAccess');
    const missing = ids.filter((id) => !facts.some((f) => f.id === id)).map((id) => fact(id, 'skipped', why));
    return {
      profileId: profile.id,
      checkedAt: deps.now().getTime(),
      address,
      facts: inOrder([...facts, ...missing]),
      ...(answers.conditionalWrites ? { conditionalWrites: answers.conditionalWrites } : {}),
      ...(answers.checksums ? { checksums: answers.checksums } : {}),
      ...(answers.tagging ? { tagging: answers.tagging } : {}),
    };
  };

  // One attempt per request: a check reports what the bucket answers, it does not retry it into shape.
  const access = await checkKeysAndRegion(conn, deps.fetch, { maxAttempts: 1 });
  const facts = [...access.facts];
  if (!facts.some((f) => f.id === 'clock')) facts.push(await checkClock(conn, deps.fetch, deps.now));
  if (!access.usable) return result(facts);

  const probe = await checkProbe(deps, ctx, async (key, body) => {
    const links: BucketFact[] = [];
    if (ids.includes('publicLinks')) links.push(await checkPublicLink(deps.fetch, conn, key, body));
    if (ids.includes('customLinks')) links.push(await checkCustomLink(deps.fetch, profile.linkBaseUrl ?? '', key, body));
    return links;
  });
  facts.push(...probe);
  facts.push(await checkMultipart(deps, ctx));
  const conditional = await checkConditionalWrites(deps, ctx);
  facts.push(conditional.fact);
  const checksums = await checkChecksums(deps, ctx);
  facts.push(checksums.fact);
  // One read of the rules for the lifecycle line and Auto-delete's.
  const rules = await readLifecycle(deps.client, conn.bucket);
  const wanted = wantedRules(profile);
  facts.push(lifecycleFact(rules, wanted));
  let tags: TagProbe | undefined;
  if (profile.autoDeleteDays) {
    tags = await probeTags(deps, ctx, profile.autoDeleteDays);
    facts.push(autoDeleteFact(profile.autoDeleteDays, tags, rules, wanted));
  }
  facts.push(await checkVersioning(deps.client, conn.bucket));
  facts.push(await checkObjectLock(deps.client, conn.bucket));
  return result(facts, {
    conditionalWrites: conditional.answer,
    checksums: checksums.answers,
    ...(tags?.kind === 'answer' ? { tagging: tags.answer } : {}),
  });
}
