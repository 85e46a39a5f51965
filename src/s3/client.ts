import { S3Client } from '@aws-sdk/client-s3';
import { serviceEndpoint, usesPathStyle, type BucketAddress } from './endpoint';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Empty when the keys are long-lived. */
  sessionToken?: string;
}

export interface S3Connection extends BucketAddress {
  credentials: S3Credentials;
}

export interface ClientOptions {
  /** Milliseconds to add to the local clock when signing (tests use it to fake a skewed clock). */
  systemClockOffset?: number;
  maxAttempts?: number;
  /** Milliseconds to wait for an answer's headers before giving up on an attempt; default `REQUEST_TIMEOUT_MS`. */
  requestTimeoutMs?: number;
}

/**
 * How long one signed request may wait for its answer to start. Without a
 * bound, a server or network that holds the answer back leaves the upload
 * "finishing" for ever; with one, the call fails and the caller can ask the
 * bucket what really happened (see `src/s3/complete-check.ts`). Generous: it
 * covers the headers only, and the slow calls (CompleteMultipartUpload on
 * AWS, MinIO and Swift) answer 200 at once and keep the body alive with
 * whitespace while they join the parts.
 */
export const REQUEST_TIMEOUT_MS = 60_000;

/**
 * An S3 client for one bucket connection. Checksums are only sent when an
 * operation requires them: since SDK 3.729 they are on by default and many
 * S3-compatible services reject them, in requests and in presigned URLs.
 */
export function createS3Client(conn: S3Connection, options: ClientOptions = {}): S3Client {
  const { accessKeyId, secretAccessKey, sessionToken } = conn.credentials;
  return new S3Client({
    region: conn.region || 'us-east-1',
    endpoint: serviceEndpoint(conn),
    forcePathStyle: usesPathStyle(conn),
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A wrong region is reported to the user with a fix, not silently followed.
    followRegionRedirects: false,
    maxAttempts: options.maxAttempts ?? 2,
    // Plain retries; the build leaves out the adaptive (client-side rate limiting) mode.
    retryMode: 'standard',
    ...(options.systemClockOffset ? { systemClockOffset: options.systemClockOffset } : {}),
    // Options for whichever handler the platform uses (fetch in the browser, node:http in tests). The fetch
    // handler always fails a request that runs out of time; node:http's only warns unless told to throw.
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  });
}
