import { originPattern } from '../permissions/origin-pattern';

/** Where requests for a bucket go. Pure: used by the options page to ask for exactly this host permission. */
export interface BucketAddress {
  bucket: string;
  region: string;
  endpoint: string;
  forcePathStyle: boolean;
}

/** Virtual-hosted addressing breaks TLS for bucket names with dots, so those go path-style. */
export function usesPathStyle(address: BucketAddress): boolean {
  return address.forcePathStyle || address.bucket.includes('.');
}

/** The SDK endpoint for an address: the custom one, or AWS's regional endpoint. */
export function serviceEndpoint(address: BucketAddress): string {
  if (address.endpoint) return address.endpoint;
  return `https://s3.${address.region || 'us-east-1'}.amazonaws.com`;
}

/** The origin that S3 requests for this bucket are sent to. */
export function bucketOrigin(address: BucketAddress): string {
  const base = new URL(serviceEndpoint(address));
  if (!usesPathStyle(address)) base.hostname = `${address.bucket}.${base.hostname}`;
  return base.origin;
}

/**
 * The host permissions the extension needs for this bucket: its own origin,
 * plus — while the AWS region is unknown — the global endpoint that answers
 * "which region is this bucket in?".
 */
export function hostPermissionOrigins(address: BucketAddress): string[] {
  const origins = [originPattern(bucketOrigin(address))];
  if (!address.endpoint && !address.region) origins.push(originPattern(regionProbeUrl(address)));
  return origins;
}

/** An unsigned HEAD here answers with `x-amz-bucket-region` on AWS (and on MinIO and others). */
export function regionProbeUrl(address: BucketAddress): URL {
  if (address.endpoint) return new URL(`${address.endpoint}/${encodeURIComponent(address.bucket)}`);
  return usesPathStyle(address)
    ? new URL(`https://s3.amazonaws.com/${encodeURIComponent(address.bucket)}`)
    : new URL(`https://${address.bucket}.s3.amazonaws.com/`);
}
