import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, type S3Connection } from '../../src/s3/client';
import { testConnection } from '../../src/s3/connection-test';
import { presignUpload } from '../../src/s3/presign';
import { fetchTransport } from '../../src/upload/fetch-transport';
import { uploadWithSinglePut } from '../../src/upload/single-put';
import { strictLaneAvailable } from '../support/lanes';
import { connectionTo, freePort, startSwift, type S3Server } from '../support/s3-servers';

const BUCKET = 'errors';

/**
 * Test connection against a server that really checks keys, signatures,
 * regions and clocks: each mistake a user can make gets its own sentence.
 */
describe.skipIf(!strictLaneAvailable())('Test connection on the strict lane (Swift s3api)', () => {
  let s3: S3Server;
  let conn: S3Connection;

  beforeAll(async () => {
    s3 = await startSwift({ buckets: [BUCKET] });
    conn = connectionTo(s3, BUCKET);
  });
  afterAll(() => s3?.stop());

  it('connects with the right keys, bucket and region', async () => {
    const report = await testConnection(conn, fetch);
    expect(report).toMatchObject({ ok: true });
    expect(report.message).toMatch(/^Connected: bucket "errors" accepts these keys\.$/);
  });

  it('detects the region when none is given and says so', async () => {
    // Swift sends no x-amz-bucket-region (its unsigned HEAD gets 412); it answers GetBucketLocation
    // with an empty constraint, as AWS does for us-east-1, and its s3api is configured as us-east-1.
    expect(s3.region).toBe('us-east-1');
    const report = await testConnection({ ...conn, region: '' }, fetch);
    expect(report.ok).toBe(true);
    expect(report.detectedRegion).toBe('us-east-1');
    expect(report.message).toBe('Connected: bucket "errors" accepts these keys. Detected region us-east-1.');
  });

  it('unknown access key → refused with a sentence about the keys', async () => {
    // Swift's tempauth cannot tell an unknown key from a wrong secret: it answers
    // SignatureDoesNotMatch for both (s3request.py). AWS's InvalidAccessKeyId reply is
    // covered by the unit tests with AWS's own XML body.
    const report = await testConnection({ ...conn, credentials: { ...conn.credentials, accessKeyId: 'nobody:here' } }, fetch);
    expect(report.ok).toBe(false);
    expect(report.error?.code).toBe('SignatureDoesNotMatch');
    expect(report.message).toMatch(/access key ID/);
  });

  it('wrong secret → the secret does not match the key ID', async () => {
    const report = await testConnection({ ...conn, credentials: { ...conn.credentials, secretAccessKey: 'wrong' } }, fetch);
    expect(report.error?.code).toBe('SignatureDoesNotMatch');
    expect(report.message).toMatch(/^The secret access key does not match the access key ID\./);
  });

  it('missing bucket → the bucket does not exist at this endpoint', async () => {
    const report = await testConnection({ ...conn, bucket: 'no-such-bucket-here' }, fetch);
    expect(report.error?.code).toBe('NoSuchBucket');
    expect(report.message).toBe(`Bucket "no-such-bucket-here" does not exist at ${s3.endpoint}. Check the name, or create the bucket first.`);
  });

  it('wrong region → names the bucket’s region and offers it as a one-click fix', async () => {
    const report = await testConnection({ ...conn, region: 'eu-west-1' }, fetch);
    expect(report.ok).toBe(false);
    expect(report.message).toBe(`Bucket "errors" is in region ${s3.region}, not eu-west-1. Use ${s3.region}.`);
    expect(report.error?.fix).toEqual({ kind: 'use-region', region: s3.region });
    expect(report.detectedRegion).toBe(s3.region);
  });

  it('keys without rights on the bucket → says which permission is missing', async () => {
    const guest = s3.restrictedUser!;
    const report = await testConnection({ ...conn, credentials: guest }, fetch);
    // Listing refused proves the keys valid; S3 Drop does not need s3:ListBucket.
    expect(report.ok).toBe(true);
    expect(report.message).toMatch(/may not list the bucket \(s3:ListBucket\)/);

    const body = new Blob(['denied']);
    const client = createS3Client({ ...conn, credentials: guest });
    const attempt = uploadWithSinglePut({
      body,
      sign: () => presignUpload(client, { bucket: BUCKET, key: 'denied.txt', contentType: 'text/plain', contentLength: body.size }),
      transport: fetchTransport(),
      context: { operation: 'upload', bucket: BUCKET, region: s3.region, endpoint: s3.endpoint },
    });
    await expect(attempt).rejects.toThrow(
      'These keys are not allowed to upload in bucket "errors": the key\'s policy must allow s3:PutObject on arn:aws:s3:::errors/*.',
    );
  });

  it('clock off by an hour → says the computer clock is wrong', async () => {
    const report = await testConnection(conn, fetch, { systemClockOffset: 3600_000 });
    expect(report.error?.code).toBe('RequestTimeTooSkewed');
    expect(report.message).toMatch(/clock is off/);
  });

  it('endpoint unreachable → cannot reach it, with its address', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const report = await testConnection({ ...conn, endpoint: closed }, fetch);
    expect(report.error?.code).toBe('NetworkError');
    expect(report.message).toBe(`Cannot reach ${closed}. Check the endpoint URL, that the service is running, and your connection.`);
  });
});
