/**
 * Auto-delete after N days: every upload of the profile carries one object
 * tag naming its delay, signed into the PUT (and the multipart create), and a
 * lifecycle rule of the bucket expires objects with that tag. S3 Drop never
 * deletes on a timer itself: the browser may be closed for weeks, the bucket
 * is not. A changed delay tags new uploads with the new value and leaves the
 * old rule for the files already up, which keep the date they were promised.
 */
import type { LifecycleRule } from '@aws-sdk/client-s3';
import { t } from '../i18n/t';

/** The tag's key; its value is the delay in days, e.g. `30`. */
export const AUTO_DELETE_TAG = 's3-drop-delete-after-days';

/** One day to ten years: S3 takes any positive whole number of days, but beyond ten years "auto" means nothing. */
export const AUTO_DELETE_DAYS_RANGE = { min: 1, max: 3650 } as const;

/** A sentence for an unusable delay, or `null`; absent means "keep files". */
export function validateAutoDeleteDays(days: number | undefined): string | null {
  if (days === undefined) return null;
  const { min, max } = AUTO_DELETE_DAYS_RANGE;
  if (!Number.isInteger(days) || days < min || days > max) return t('profile_autoDeleteRange', { min, max });
  return null;
}

/** The `x-amz-tagging` value of an upload that is deleted after `days` (URL-query encoded, as S3 takes it). */
export function autoDeleteTagging(days: number): string {
  return new URLSearchParams({ [AUTO_DELETE_TAG]: String(days) }).toString();
}

/** The id of the rule that expires uploads tagged with `days`. */
export function autoDeleteRuleId(days: number): string {
  return `s3-drop-delete-after-${days}-days`;
}

/**
 * The rule that deletes tagged uploads after `days`. On a bucket with
 * versioning, expiring only hides the file behind a delete marker; the hidden
 * version goes a day later, so the bytes are really gone.
 */
export function autoDeleteRule(days: number): LifecycleRule {
  return {
    ID: autoDeleteRuleId(days),
    Status: 'Enabled',
    Filter: { Tag: { Key: AUTO_DELETE_TAG, Value: String(days) } },
    Expiration: { Days: days },
    NoncurrentVersionExpiration: { NoncurrentDays: 1 },
  };
}

/** Whether an enabled rule deletes every object tagged for `days` after at most that many days. */
export function expiresTagged(rule: LifecycleRule, days: number): boolean {
  if (rule.Status !== 'Enabled' || rule.Expiration?.Days === undefined || rule.Expiration.Days > days) return false;
  const filter = rule.Filter;
  // A rule for the whole bucket deletes the tagged files too (and everything else: the user's choice).
  if (!filter) return !rule.Prefix;
  if (filter.Tag) return filter.Tag.Key === AUTO_DELETE_TAG && filter.Tag.Value === String(days);
  if (filter.And) {
    const tags = filter.And.Tags ?? [];
    return (
      !filter.And.Prefix &&
      filter.And.ObjectSizeGreaterThan === undefined &&
      filter.And.ObjectSizeLessThan === undefined &&
      tags.length === 1 &&
      tags[0]!.Key === AUTO_DELETE_TAG &&
      tags[0]!.Value === String(days)
    );
  }
  return !filter.Prefix && filter.ObjectSizeGreaterThan === undefined && filter.ObjectSizeLessThan === undefined;
}

const DAY_MS = 86_400_000;

/**
 * When S3 deletes an object stored at `storedAt` (ms) with a rule of `days`:
 * it adds the days and rounds up to the next midnight UTC (S3's lifecycle
 * documentation: stored 15 Jan 10:30 UTC, 3 days → 19 Jan 00:00 UTC). The
 * deletion itself runs some time after that moment.
 */
export function autoDeleteDate(storedAt: number, days: number): number {
  return Math.floor((storedAt + days * DAY_MS) / DAY_MS) * DAY_MS + DAY_MS;
}
