import { GetBucketLocationCommand } from '@aws-sdk/client-s3';
import { createS3Client, type S3Connection } from './client';
import { regionProbeUrl } from './endpoint';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * Finds the region a bucket lives in. First an unsigned HEAD, which AWS (and
 * MinIO, Ceph and others) answer with `x-amz-bucket-region` whatever the
 * status; then GetBucketLocation for services that only answer signed
 * requests. `undefined` when neither answers. Network errors propagate.
 */
export async function detectBucketRegion(conn: S3Connection, fetchImpl: FetchLike): Promise<string | undefined> {
  const probe = await fetchImpl(regionProbeUrl(conn).href, { method: 'HEAD', redirect: 'manual' });
  const fromHeader = probe.headers.get('x-amz-bucket-region');
  if (fromHeader) return fromHeader;
  try {
    const client = createS3Client({ ...conn, region: 'us-east-1' }, { maxAttempts: 1 });
    const { LocationConstraint } = await client.send(new GetBucketLocationCommand({ Bucket: conn.bucket }));
    // An answer with an empty constraint is how S3 (and Swift's s3api) says us-east-1: the XML has
    // `<LocationConstraint/>`, which the SDK reads as undefined. "EU" is the legacy name of eu-west-1.
    if (!LocationConstraint) return 'us-east-1';
    return LocationConstraint === 'EU' ? 'eu-west-1' : LocationConstraint;
  } catch {
    return undefined;
  }
}
