/**
 * Auto-delete: will the uploads of a profile with "Delete files after N days"
 * really go? Two things must hold, and both are observed: the storage keeps
 * the tag signed into the PUT (a test file is stored with it and its tags are
 * read back), and a lifecycle rule expires objects with that tag after at
 * most N days. The Fix adds that rule, keeping the bucket's others.
 */
import { GetObjectTaggingCommand, type LifecycleRule } from '@aws-sdk/client-s3';
import { t } from '../i18n/t';
import { AUTO_DELETE_TAG, autoDeleteRule, autoDeleteTagging, expiresTagged } from '../s3/auto-delete';
import { describeFailure, failureFromError, failureFromResponse } from '../s3/errors';
import { fact, type BucketFact, type TagAnswer } from './facts';
import { addLifecycleRule, lifecycleJson, type LifecycleReading, type RuleWrite } from './lifecycle';
import { CHECK_PREFIX, putThroughUrl, refusal, removeKey, type ProbeContext, type ProbeDeps, type Reply } from './probe';

/** What storing a tagged test file showed: how the storage treats tags, or why it could not be told. */
export type TagProbe = { kind: 'answer'; answer: TagAnswer } | { kind: 'failed'; sentence: string };

/** The storage's answer to a tagged PUT, and to reading the tags back (`null`: not asked, the PUT failed). */
export function tagAnswer(put: Reply, tags: { Key?: string; Value?: string }[] | null, days: number): TagAnswer | null {
  // Swift's s3api answers any PUT with `x-amz-tagging` with 501 NotImplemented, and stores nothing.
  if (put.status === 501 || failureFromResponse(put.status, put.text).code === 'NotImplemented') return 'refused';
  if (put.status !== 200 || !tags) return null;
  // s3rver stores the file and answers 200, but drops the tag: its tag set reads back empty.
  return tags.some((tag) => tag.Key === AUTO_DELETE_TAG && tag.Value === String(days)) ? 'kept' : 'ignored';
}

/** Stores a test file with Auto-delete's tag through the URL signer uploads use, reads its tags back, and deletes it. */
export async function probeTags(deps: ProbeDeps, ctx: ProbeContext, days: number): Promise<TagProbe> {
  const key = `${CHECK_PREFIX}${deps.uuid()}-auto-delete.txt`;
  const tagged = { ...ctx, tagged: true };
  let put: Reply | undefined;
  try {
    put = await putThroughUrl(deps, ctx.bucket, key, 'auto-delete\n', { tagging: autoDeleteTagging(days) });
    if (put.status !== 200) {
      const answer = tagAnswer(put, null, days);
      return answer ? { kind: 'answer', answer } : { kind: 'failed', sentence: t('check_autoDeleteTagFailed', { reason: refusal(put, 'upload', tagged) }) };
    }
    let tags: { Key?: string; Value?: string }[];
    try {
      tags = (await deps.client.send(new GetObjectTaggingCommand({ Bucket: ctx.bucket, Key: key }))).TagSet ?? [];
    } catch (err) {
      const failure = failureFromError(err);
      // Reading tags takes a permission of its own, which a policy made for uploads and links may lack.
      if (failure.code === 'AccessDenied' || failure.code === 'Http403') return { kind: 'failed', sentence: t('check_autoDeleteTagsDenied') };
      const reason = describeFailure(failure, { operation: 'share', ...ctx }).message;
      return { kind: 'failed', sentence: t('check_autoDeleteTagUnreadable', { reason }) };
    }
    return { kind: 'answer', answer: tagAnswer(put, tags, days)! };
  } catch (err) {
    return { kind: 'failed', sentence: t('check_autoDeleteTagFailed', { reason: refusal(err, 'upload', tagged) }) };
  } finally {
    if (put?.status === 200) await removeKey(deps.client, ctx.bucket, key, ctx, put.versionId ? [put.versionId] : []);
  }
}

/**
 * The Auto-delete line: whether uploads tagged for `days` are deleted, from
 * the tag probe and the bucket's rules. `wanted` is every rule S3 Drop needs
 * on this bucket, for a configuration to paste.
 */
export function autoDeleteFact(days: number, probe: TagProbe, reading: LifecycleReading, wanted: readonly LifecycleRule[]): BucketFact {
  if (probe.kind === 'failed') return fact('autoDelete', 'problem', probe.sentence);
  if (probe.answer === 'refused') return fact('autoDelete', 'problem', t('check_autoDeleteTagsRefused'));
  if (probe.answer === 'ignored') return fact('autoDelete', 'problem', t('check_autoDeleteTagsDropped'));
  const add = { kind: 'add-expiry-rule' } as const;
  switch (reading.kind) {
    case 'rules':
      return reading.rules.some((r) => expiresTagged(r, days))
        ? fact('autoDelete', 'ok', t('check_autoDeleteOk', { days }))
        : fact('autoDelete', 'problem', t('check_autoDeleteNoRule', { days }), add);
    case 'none':
      return fact('autoDelete', 'problem', t('check_autoDeleteNoRule', { days }), add);
    case 'denied':
      return fact('autoDelete', 'problem', t('check_autoDeleteRulesUnreadable', { days }), { kind: 'paste-lifecycle', json: lifecycleJson([], wanted) });
    case 'unsupported':
      return fact('autoDelete', 'problem', t('check_autoDeleteNoLifecycle'));
    case 'failed':
      return fact('autoDelete', 'problem', t('check_lifecycleFailed', { code: reading.code }));
  }
}

/** The Fix of the Auto-delete line: adds the rule that deletes uploads tagged for `days`, then reads the rules back. */
export async function addAutoDeleteRule(
  client: ProbeDeps['client'],
  bucket: string,
  days: number,
  probe: TagProbe,
  wanted: readonly LifecycleRule[],
): Promise<BucketFact> {
  const write: RuleWrite = await addLifecycleRule(client, bucket, autoDeleteRule(days), (rules) => rules.some((r) => expiresTagged(r, days)));
  switch (write.kind) {
    case 'written':
    case 'present':
      return autoDeleteFact(days, probe, write.reading, wanted);
    case 'denied':
      return fact('autoDelete', 'problem', t('check_autoDeleteFixDenied', { days }), { kind: 'paste-lifecycle', json: lifecycleJson(write.rules, wanted) });
    case 'unsupported':
      return autoDeleteFact(days, probe, write, wanted);
    case 'failed':
      return fact('autoDelete', 'problem', t('check_lifecycleFixFailed', { code: write.code }));
  }
}
