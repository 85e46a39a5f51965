/**
 * No false failures: a CompleteMultipartUpload that failed without proving
 * the join failed is checked with HEAD before it is reported. The decision
 * alone, then the whole step over a real S3 client whose HTTP layer answers
 * with S3's own replies (or gives none).
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createS3Client, REQUEST_TIMEOUT_MS } from '../../src/s3/client';
import {
  completeAndCheck,
  completeMayHaveJoined,
  isJoinedObject,
  multipartEtag,
  type CheckedCompleteRequest,
  type HashConstructor,
} from '../../src/s3/complete-check';
import type { CompletedPart } from '../../src/s3/multipart';
import { describeFailure, failureFromError } from '../../src/s3/errors';
import { cannedS3, s3Error, type CannedAnswer, type SeenRequest } from '../support/canned-s3';

const MiB = 1024 * 1024;
const SIZE = 12 * MiB + 7;

/** Three parts' ETags as S3 answers UploadPart: the quoted MD5 of each part's bytes. */
const partBytes = [Buffer.alloc(5 * MiB, 1), Buffer.alloc(5 * MiB, 2), Buffer.alloc(2 * MiB + 7, 3)];
const PARTS: CompletedPart[] = partBytes.map((bytes, i) => ({ PartNumber: i + 1, ETag: `"${createHash('md5').update(bytes).digest('hex')}"` }));
/** What S3 names the joined object, worked out here with Node's own MD5 (not the code under test). */
const JOINED_ETAG = `"${createHash('md5')
  .update(Buffer.concat(partBytes.map((bytes) => createHash('md5').update(bytes).digest())))
  .digest('hex')}-3"`;

const timeout = () => Object.assign(new Error('Request did not complete within 50 ms'), { name: 'TimeoutError' });

describe('completeMayHaveJoined: which failures prove nothing', () => {
  it.each([
    ['no answer (network)', { code: 'NetworkError' }],
    ['no answer (the client gave up waiting)', failureFromError(timeout())],
    ['a 500', { code: 'InternalError', status: 500 }],
    ['InternalError inside a 200 (AWS, once the join started)', { code: 'InternalError', status: 200 }],
    ['a 502 from something in between', { code: 'Http502', status: 502 }],
    ['503 SlowDown', { code: 'SlowDown', status: 503 }],
    ['NoSuchUpload (a retry finds the upload joined by the first attempt)', { code: 'NoSuchUpload', status: 404 }],
  ])('%s: ask the bucket', (_, failure) => {
    expect(completeMayHaveJoined(failure)).toBe(true);
  });

  it.each([
    ['AccessDenied', { code: 'AccessDenied', status: 403 }],
    ['InvalidPart', { code: 'InvalidPart', status: 400 }],
    ['EntityTooSmall', { code: 'EntityTooSmall', status: 400 }],
    ['SignatureDoesNotMatch', { code: 'SignatureDoesNotMatch', status: 403 }],
    ['PreconditionFailed on the first attempt (the key was taken before)', { code: 'PreconditionFailed', status: 412 }],
  ])('%s: S3 refused the join, which proves it did not happen', (_, failure) => {
    expect(completeMayHaveJoined(failure)).toBe(false);
  });

  it('PreconditionFailed on a retried attempt: the first attempt may have taken the key itself', () => {
    expect(completeMayHaveJoined({ code: 'PreconditionFailed', status: 412 }, 2)).toBe(true);
  });
});

describe('isJoinedObject', () => {
  it('a key only this upload has (uuid): there with the right size is ours', () => {
    expect(isJoinedObject({ size: SIZE, etag: '"whatever-9"' }, { size: SIZE, keyUnique: true })).toBe(true);
  });

  it('the wrong size is never ours', () => {
    expect(isJoinedObject({ size: SIZE - 1 }, { size: SIZE, keyUnique: true })).toBe(false);
    expect(isJoinedObject({ size: SIZE + 1, etag: JOINED_ETAG }, { size: SIZE, etag: JOINED_ETAG, keyUnique: false })).toBe(false);
    expect(isJoinedObject({}, { size: SIZE, keyUnique: true })).toBe(false);
  });

  it('a key that can collide: ours only with the ETag our parts make', () => {
    expect(isJoinedObject({ size: SIZE, etag: JOINED_ETAG.toUpperCase() }, { size: SIZE, etag: JOINED_ETAG, keyUnique: false })).toBe(true);
    // Same name, same size, someone else's bytes (or the same part count with other parts).
    expect(isJoinedObject({ size: SIZE, etag: '"0123456789abcdef0123456789abcdef-3"' }, { size: SIZE, etag: JOINED_ETAG, keyUnique: false })).toBe(false);
    // Without an ETag to compare, size alone does not say whose it is.
    expect(isJoinedObject({ size: SIZE, etag: JOINED_ETAG }, { size: SIZE, keyUnique: false })).toBe(false);
    expect(isJoinedObject({ size: SIZE }, { size: SIZE, etag: JOINED_ETAG, keyUnique: false })).toBe(false);
  });
});

describe('multipartEtag (the SDK’s MD5)', () => {
  const { client } = cannedS3(() => ({ status: 200 }));
  const Md5 = client.config.md5 as HashConstructor;

  it('is the MD5 of the parts’ MD5s and their count, in part order whatever the order given', async () => {
    expect(await multipartEtag([...PARTS].reverse(), Md5)).toBe(JOINED_ETAG);
  });

  it('cannot be foreseen when a part’s ETag is not a plain MD5, or there are no parts', async () => {
    expect(await multipartEtag([PARTS[0]!, { PartNumber: 2, ETag: '"not-an-md5"' }], Md5)).toBeUndefined();
    expect(await multipartEtag([], Md5)).toBeUndefined();
  });
});

describe('completeAndCheck over S3’s own answers', () => {
  const request = (over: Partial<CheckedCompleteRequest> = {}): CheckedCompleteRequest => ({
    bucket: 'media',
    key: '2024/03/05/4d6e-video.mp4',
    uploadId: 'upload-1',
    parts: PARTS,
    size: SIZE,
    keyUnique: true,
    ...over,
  });
  const isComplete = (r: SeenRequest) => r.method === 'POST' && 'uploadId' in r.query;
  const joined = (etag: string): CannedAnswer => ({
    status: 200,
    body: `<CompleteMultipartUploadResult><Bucket>media</Bucket><Key>k</Key><ETag>${etag.replace(/"/g, '&quot;')}</ETag></CompleteMultipartUploadResult>`,
  });
  const stored = (size: number, etag = JOINED_ETAG): CannedAnswer => ({ status: 200, headers: { 'content-length': String(size), etag } });

  /** A bucket whose Complete fails as `fail` says, and whose HEAD answers `head`. */
  function bucket(fail: (attempt: number) => CannedAnswer, head: () => CannedAnswer, maxAttempts = 1) {
    let attempt = 0;
    return cannedS3((r) => (isComplete(r) ? fail(++attempt) : head()), { maxAttempts });
  }
  const methods = (requests: SeenRequest[]) => requests.map((r) => (isComplete(r) ? 'Complete' : r.method));

  it('answered: no HEAD', async () => {
    const { client, requests } = cannedS3(() => joined(JOINED_ETAG));
    expect(await completeAndCheck(client, request())).toEqual({ etag: JOINED_ETAG });
    expect(methods(requests)).toEqual(['Complete']);
  });

  it('no answer (the client timed out), and HEAD finds the object with the right size: done', async () => {
    const { client, requests } = bucket(
      () => {
        throw timeout();
      },
      () => stored(SIZE),
    );
    const result = await completeAndCheck(client, request());
    expect(result).toEqual({ etag: JOINED_ETAG, confirmedAfter: { code: 'NetworkError', message: 'Request did not complete within 50 ms' } });
    expect(methods(requests)).toEqual(['Complete', 'HEAD']);
    expect(requests[1]!.path).toBe('/media/2024/03/05/4d6e-video.mp4');
  });

  it('a 500, and an object of the wrong size at the key: Complete’s failure stands', async () => {
    const { client, requests } = bucket(
      () => ({ status: 500, body: s3Error('InternalError', 'We encountered an internal error. Please try again.') }),
      () => stored(SIZE - 1),
    );
    const err = await completeAndCheck(client, request()).catch((e: unknown) => e);
    expect(failureFromError(err)).toMatchObject({ code: 'InternalError', status: 500 });
    expect(methods(requests)).toEqual(['Complete', 'HEAD']);
  });

  it('no answer, and nothing at the key (404): Complete’s failure stands', async () => {
    const { client } = bucket(
      () => {
        throw timeout();
      },
      () => ({ status: 404 }),
    );
    const err = await completeAndCheck(client, request()).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TimeoutError' });
    const sentence = describeFailure(failureFromError(err), { operation: 'upload', bucket: 'media', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000' });
    expect(sentence.message).toBe('Cannot reach http://127.0.0.1:9000. Check the endpoint URL, that the service is running, and your connection.');
  });

  it('HEAD itself failing (403, 500, no answer): Complete’s failure stands, not the check’s', async () => {
    for (const head of [() => ({ status: 403 }), () => ({ status: 500 }), () => { throw timeout(); }] as (() => CannedAnswer)[]) {
      const { client, requests } = bucket(() => ({ status: 503, body: s3Error('SlowDown', 'Please reduce your request rate.') }), head);
      const err = await completeAndCheck(client, request()).catch((e: unknown) => e);
      expect(failureFromError(err)).toMatchObject({ code: 'SlowDown', status: 503 });
      expect(methods(requests)).toEqual(['Complete', 'HEAD']);
    }
  });

  it('a refusal (InvalidPart) proves the join failed: no HEAD, even with an object there', async () => {
    const { client, requests } = bucket(
      () => ({ status: 400, body: s3Error('InvalidPart', 'One or more of the specified parts could not be found.') }),
      () => stored(SIZE),
    );
    const err = await completeAndCheck(client, request()).catch((e: unknown) => e);
    expect(failureFromError(err)).toMatchObject({ code: 'InvalidPart', status: 400 });
    expect(methods(requests)).toEqual(['Complete']);
  });

  it('the first attempt timed out, the retry finds the upload gone (NoSuchUpload): the object is there, done', async () => {
    const { client, requests } = bucket(
      (attempt) => {
        if (attempt === 1) throw timeout();
        return { status: 404, body: s3Error('NoSuchUpload', 'The specified upload does not exist.') };
      },
      () => stored(SIZE),
      2,
    );
    const result = await completeAndCheck(client, request());
    expect(result.confirmedAfter).toMatchObject({ code: 'NoSuchUpload', status: 404 });
    expect(methods(requests)).toEqual(['Complete', 'Complete', 'HEAD']);
  });

  describe('a key that can collide (If-None-Match on the join)', () => {
    const colliding = () => request({ key: 'docs/video.mp4', keyUnique: false, ifNoneMatch: true });
    const retriedInto412 = (head: () => CannedAnswer) =>
      bucket(
        (attempt) => {
          if (attempt === 1) throw timeout();
          return { status: 412, body: s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold') };
        },
        head,
        2,
      );

    it('the retry is refused (412) because the first attempt stored it: the ETag is ours, done', async () => {
      const { client, requests } = retriedInto412(() => stored(SIZE, JOINED_ETAG));
      const result = await completeAndCheck(client, colliding());
      expect(result).toMatchObject({ etag: JOINED_ETAG, confirmedAfter: { code: 'PreconditionFailed' } });
      expect(methods(requests)).toEqual(['Complete', 'Complete', 'HEAD']);
    });

    it('someone else’s object of the same size (another ETag): the failure stands', async () => {
      const { client } = retriedInto412(() => stored(SIZE, '"0123456789abcdef0123456789abcdef-3"'));
      const err = await completeAndCheck(client, colliding()).catch((e: unknown) => e);
      expect(failureFromError(err)).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    });

    it('a 412 on the first attempt: the key was taken before, no HEAD', async () => {
      const { client, requests } = bucket(
        () => ({ status: 412, body: s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold') }),
        () => stored(SIZE, JOINED_ETAG),
      );
      await expect(completeAndCheck(client, colliding())).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
      expect(methods(requests)).toEqual(['Complete']);
    });
  });
});

describe('every SDK request waits a bounded time for its answer', () => {
  it('a server that takes the request and never answers: the attempt ends, read as no answer', async () => {
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const conn = { bucket: 'media', region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } };
    const client = createS3Client(conn, { requestTimeoutMs: 200, maxAttempts: 1 });
    try {
      const err = await client.send(new HeadObjectCommand({ Bucket: 'media', Key: 'k' })).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'TimeoutError' });
      expect(failureFromError(err).code).toBe('NetworkError');
    } finally {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('the extension’s clients wait a minute unless told otherwise', async () => {
    expect(REQUEST_TIMEOUT_MS).toBe(60_000);
    const client = createS3Client({ bucket: 'b', region: 'us-east-1', endpoint: '', forcePathStyle: false, credentials: { accessKeyId: 'a', secretAccessKey: 's' } });
    const handler = client.config.requestHandler as unknown as { configProvider: Promise<{ requestTimeout?: number }> };
    expect((await handler.configProvider).requestTimeout).toBe(REQUEST_TIMEOUT_MS);
    client.destroy();
  });
});
