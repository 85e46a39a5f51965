/**
 * Versioning and Object Lock, read as information: neither is S3 Drop's to
 * change, but both change what an upload under a taken name and a Delete do.
 */
import { GetBucketVersioningCommand, GetObjectLockConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import { t } from '../i18n/t';
import { failureFromError } from '../s3/errors';
import { fact, type BucketFact } from './facts';

const denied = (code: string) => code === 'AccessDenied' || code === 'Http403';
const unsupported = (code: string) => code === 'NotImplemented' || code === 'Http501' || code === 'MethodNotAllowed';

export function versioningFact(status: string | undefined): BucketFact {
  if (status === 'Enabled') return fact('versioning', 'info', t('check_versioningOn'));
  if (status === 'Suspended') return fact('versioning', 'info', t('check_versioningSuspended'));
  return fact('versioning', 'info', t('check_versioningOff'));
}

export async function checkVersioning(client: S3Client, bucket: string): Promise<BucketFact> {
  try {
    const out = await client.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    return versioningFact(out.Status);
  } catch (err) {
    const { code } = failureFromError(err);
    if (denied(code)) return fact('versioning', 'info', t('check_versioningUnreadable'));
    if (unsupported(code)) return fact('versioning', 'info', t('check_versioningUnsupported'));
    return fact('versioning', 'info', t('check_settingUnknown', { code }));
  }
}

/** Object Lock's line from its configuration: on (with the default retention, when there is one) or off. */
export function objectLockFact(config: { ObjectLockEnabled?: string; Rule?: { DefaultRetention?: { Mode?: string; Days?: number; Years?: number } } } | undefined): BucketFact {
  if (config?.ObjectLockEnabled !== 'Enabled') return fact('objectLock', 'info', t('check_objectLockOff'));
  const retention = config.Rule?.DefaultRetention;
  if (retention?.Days || retention?.Years)
    return fact(
      'objectLock',
      'info',
      retention.Days
        ? t('check_objectLockRetentionDays', { days: retention.Days, mode: retention.Mode ?? '' })
        : t('check_objectLockRetentionYears', { years: retention.Years!, mode: retention.Mode ?? '' }),
    );
  return fact('objectLock', 'info', t('check_objectLockOn'));
}

export async function checkObjectLock(client: S3Client, bucket: string): Promise<BucketFact> {
  try {
    const out = await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
    // Swift's s3api does not know `?object-lock` and lists the bucket instead: no configuration in it, which is "off" there too.
    return objectLockFact(out.ObjectLockConfiguration);
  } catch (err) {
    const { code } = failureFromError(err);
    if (code === 'ObjectLockConfigurationNotFoundError') return objectLockFact(undefined);
    if (denied(code)) return fact('objectLock', 'info', t('check_objectLockUnreadable'));
    // A server without Object Lock cannot lock files: Delete works as without it.
    if (unsupported(code)) return fact('objectLock', 'info', t('check_objectLockUnsupported'));
    return fact('objectLock', 'info', t('check_settingUnknown', { code }));
  }
}
