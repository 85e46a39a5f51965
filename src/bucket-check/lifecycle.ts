/**
 * Lifecycle: does the bucket throw away uploads in parts that never finished?
 * An interrupted large upload (the browser closed, the computer slept) leaves
 * its parts stored, invisible in listings and billed, until a rule with
 * `AbortIncompleteMultipartUpload` removes them.
 */
import {
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  type LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import { t } from '../i18n/t';
import { failureFromError } from '../s3/errors';
import { fact, type BucketFact } from './facts';

/** The rule S3 Drop adds: every key, unfinished uploads gone after a week (long enough for any upload to finish or resume). */
export const ABORT_RULE_ID = 's3-drop-abort-incomplete-uploads';
export const ABORT_AFTER_DAYS = 7;
export const ABORT_RULE: LifecycleRule = {
  ID: ABORT_RULE_ID,
  Status: 'Enabled',
  Filter: { Prefix: '' },
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_AFTER_DAYS },
};

/** What the bucket's rules are, as far as the keys could read them. */
export type LifecycleReading =
  | { kind: 'rules'; rules: LifecycleRule[] }
  /** NoSuchLifecycleConfiguration: the bucket has no rule at all. */
  | { kind: 'none' }
  /** The keys may not read the rules. */
  | { kind: 'denied' }
  /** The server has no lifecycle rules (501, or an answer that is not a lifecycle configuration). */
  | { kind: 'unsupported' }
  | { kind: 'failed'; code: string };

/** The rule's key filter as a prefix: '' for the whole bucket, `null` when it filters by something else (tags, sizes). */
function rulePrefix(rule: LifecycleRule): string | null {
  const filter = rule.Filter;
  if (filter && (filter.Tag || filter.And || filter.ObjectSizeGreaterThan !== undefined || filter.ObjectSizeLessThan !== undefined)) return null;
  return filter?.Prefix ?? rule.Prefix ?? '';
}

/** An enabled rule that removes unfinished uploads in parts of every key, and its delay in days. */
export function wholeBucketAbortRule(rules: readonly LifecycleRule[]): LifecycleRule | undefined {
  return rules.find((r) => r.Status === 'Enabled' && r.AbortIncompleteMultipartUpload?.DaysAfterInitiation !== undefined && rulePrefix(r) === '');
}

/** The prefix of an enabled abort rule that covers only part of the bucket, when there is no whole-bucket one. */
function partialAbortPrefix(rules: readonly LifecycleRule[]): string | undefined {
  const partial = rules.find((r) => r.Status === 'Enabled' && r.AbortIncompleteMultipartUpload?.DaysAfterInitiation !== undefined);
  return partial ? rulePrefix(partial) ?? '' : undefined;
}

/**
 * The rules to PUT: the bucket's own, unchanged, plus S3 Drop's `added`.
 * A PUT replaces the whole configuration, so leaving one out would delete it.
 * An earlier S3 Drop rule (e.g. disabled by hand) is replaced, not doubled: ids must be unique.
 */
export function rulesWith(rules: readonly LifecycleRule[], added: readonly LifecycleRule[]): LifecycleRule[] {
  const ids = new Set(added.map((r) => r.ID));
  return [...rules.filter((r) => !ids.has(r.ID)), ...added];
}

/** The configuration to paste where the keys may not write it: JSON as the S3 API and `aws s3api put-bucket-lifecycle-configuration` take it. */
export function lifecycleJson(rules: readonly LifecycleRule[], added: readonly LifecycleRule[]): string {
  return JSON.stringify({ Rules: rulesWith(rules, added) }, null, 2);
}

/** Reads the bucket's lifecycle rules. Never throws. */
export async function readLifecycle(client: S3Client, bucket: string): Promise<LifecycleReading> {
  try {
    const out = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    // A lifecycle configuration has at least one rule (S3 answers NoSuchLifecycleConfiguration when there is none).
    // A 200 without any is a server that does not know `?lifecycle` and answered another request: Swift's s3api lists the bucket.
    if (!out.Rules?.length) return { kind: 'unsupported' };
    return { kind: 'rules', rules: out.Rules };
  } catch (err) {
    return readingOfFailure(failureFromError(err).code);
  }
}

function readingOfFailure(code: string): LifecycleReading {
  if (code === 'NoSuchLifecycleConfiguration') return { kind: 'none' };
  if (code === 'AccessDenied' || code === 'Http403') return { kind: 'denied' };
  if (code === 'NotImplemented' || code === 'Http501' || code === 'MethodNotAllowed') return { kind: 'unsupported' };
  return { kind: 'failed', code };
}

/**
 * The lifecycle line of the checklist, from what was read. `wanted` is every
 * rule S3 Drop needs on this bucket (the abort rule, and Auto-delete's), so a
 * configuration to paste has them all at once.
 */
export function lifecycleFact(reading: LifecycleReading, wanted: readonly LifecycleRule[] = [ABORT_RULE]): BucketFact {
  const add = { kind: 'add-abort-rule' } as const;
  switch (reading.kind) {
    case 'rules': {
      const rule = wholeBucketAbortRule(reading.rules);
      if (rule) return fact('lifecycle', 'ok', t('check_lifecycleOk', { days: rule.AbortIncompleteMultipartUpload!.DaysAfterInitiation! }));
      const prefix = partialAbortPrefix(reading.rules);
      if (prefix !== undefined) return fact('lifecycle', 'problem', t('check_lifecyclePartial', { prefix, days: ABORT_AFTER_DAYS }), add);
      return fact('lifecycle', 'problem', t('check_lifecycleMissing', { days: ABORT_AFTER_DAYS }), add);
    }
    case 'none':
      return fact('lifecycle', 'problem', t('check_lifecycleMissing', { days: ABORT_AFTER_DAYS }), add);
    case 'denied':
      return fact('lifecycle', 'problem', t('check_lifecycleUnreadable', { days: ABORT_AFTER_DAYS }), { kind: 'paste-lifecycle', json: lifecycleJson([], wanted) });
    case 'unsupported':
      return fact('lifecycle', 'info', t('check_lifecycleUnsupported'));
    case 'failed':
      return fact('lifecycle', 'problem', t('check_lifecycleFailed', { code: reading.code }));
  }
}

/** The lifecycle check on its own (run.ts reads the rules once for this line and Auto-delete's). */
export async function checkLifecycle(client: S3Client, bucket: string, wanted: readonly LifecycleRule[] = [ABORT_RULE]): Promise<BucketFact> {
  return lifecycleFact(await readLifecycle(client, bucket), wanted);
}

/** What adding a rule did: the rules as read back after, or why they were not written. */
export type RuleWrite =
  | { kind: 'written'; reading: LifecycleReading }
  /** The bucket had such a rule already: nothing was written. */
  | { kind: 'present'; reading: LifecycleReading }
  /** The keys may not write the rules: these are the ones read, to paste with S3 Drop's. */
  | { kind: 'denied'; rules: LifecycleRule[] }
  | { kind: 'unsupported' }
  | { kind: 'failed'; code: string };

/**
 * Adds `rule` to the bucket's rules unless `present` finds one that does its
 * work, then reads them back, so the line shows what the bucket now says,
 * not what was sent.
 */
export async function addLifecycleRule(
  client: S3Client,
  bucket: string,
  rule: LifecycleRule,
  present: (rules: readonly LifecycleRule[]) => boolean,
): Promise<RuleWrite> {
  const before = await readLifecycle(client, bucket);
  if (before.kind === 'unsupported') return before;
  if (before.kind === 'failed') return before;
  if (before.kind === 'denied') return { kind: 'denied', rules: [] };
  if (before.kind === 'rules' && present(before.rules)) return { kind: 'present', reading: before };
  const rules = before.kind === 'rules' ? before.rules : [];
  try {
    await client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: rulesWith(rules, [rule]) } }));
  } catch (err) {
    const code = failureFromError(err).code;
    if (code === 'AccessDenied' || code === 'Http403') return { kind: 'denied', rules };
    // Swift's s3api takes a lifecycle PUT for a bucket creation and finds the XML malformed: the server has no rules to set.
    if (code === 'NotImplemented' || code === 'MalformedXML' || code === 'Http501') return { kind: 'unsupported' };
    return { kind: 'failed', code };
  }
  return { kind: 'written', reading: await readLifecycle(client, bucket) };
}

/** The Fix of the lifecycle line: adds S3 Drop's abort rule; keys that may not get the JSON to paste (with the rules they read). */
export async function addAbortRule(client: S3Client, bucket: string, wanted: readonly LifecycleRule[] = [ABORT_RULE]): Promise<BucketFact> {
  const write = await addLifecycleRule(client, bucket, ABORT_RULE, (rules) => wholeBucketAbortRule(rules) !== undefined);
  switch (write.kind) {
    case 'written':
    case 'present':
      return lifecycleFact(write.reading, wanted);
    case 'denied':
      return fact('lifecycle', 'problem', t('check_lifecycleFixDenied', { days: ABORT_AFTER_DAYS }), {
        kind: 'paste-lifecycle',
        json: lifecycleJson(write.rules, wanted),
      });
    case 'unsupported':
      return fact('lifecycle', 'info', t('check_lifecycleUnsupported'));
    case 'failed':
      return fact('lifecycle', 'problem', t('check_lifecycleFixFailed', { code: write.code }));
  }
}
