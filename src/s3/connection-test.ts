import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client, type ClientOptions, type S3Connection } from './client';
import type { UserError } from '../result';
import { describeFailure, failureFromError } from './errors';
import { detectBucketRegion, type FetchLike } from './region';
import { t } from '../i18n/t';

export interface ConnectionReport {
  ok: boolean;
  /** One sentence: what works, or what is wrong and how to fix it. */
  message: string;
  /** The region the bucket answered in, when it differs from the one entered (or none was). */
  detectedRegion?: string;
  error?: UserError;
}

/**
 * Checks keys, bucket and region with one signed, read-only request. Nothing
 * is written to the bucket. A ListObjects refusal (AccessDenied) still proves
 * the keys and the bucket right: S3 Drop itself needs only PutObject/GetObject.
 */
export async function testConnection(
  conn: S3Connection,
  fetchImpl: FetchLike,
  clientOptions: ClientOptions = {},
): Promise<ConnectionReport> {
  let region = conn.region;
  let detectedRegion: string | undefined;
  const context = () => ({ operation: 'connect' as const, bucket: conn.bucket, region, endpoint: conn.endpoint });

  if (!region) {
    try {
      detectedRegion = await detectBucketRegion(conn, fetchImpl);
    } catch (err) {
      const error = describeFailure(failureFromError(err), context());
      return { ok: false, message: error.message, error };
    }
    region = detectedRegion ?? 'us-east-1';
  }

  const client = createS3Client({ ...conn, region }, { maxAttempts: 1, ...clientOptions });
  const found = detectedRegion
    ? ` ${t('common_detectedRegion', { region: detectedRegion })}`
    : region !== conn.region
      ? ` ${t('connection_usingRegion', { region })}`
      : '';
  try {
    await client.send(new ListObjectsV2Command({ Bucket: conn.bucket, MaxKeys: 1 }));
    return withRegion({ ok: true, message: `${t('connection_ok', { bucket: conn.bucket })}${found}` }, detectedRegion);
  } catch (err) {
    const failure = failureFromError(err);
    if (failure.code === 'AccessDenied')
      return withRegion(
        {
          ok: true,
          message: `${t('connection_okCannotList', { bucket: conn.bucket })}${found}`,
        },
        detectedRegion,
      );
    const error = describeFailure(failure, context());
    const regionFix = error.fix?.kind === 'use-region' ? error.fix.region : detectedRegion;
    return withRegion({ ok: false, message: error.message, error }, regionFix);
  } finally {
    client.destroy();
  }
}

function withRegion(report: ConnectionReport, region: string | undefined): ConnectionReport {
  return region ? { ...report, detectedRegion: region } : report;
}
