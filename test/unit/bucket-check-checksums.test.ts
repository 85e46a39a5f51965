import { describe, expect, it } from 'vitest';
import { checkChecksums, checksumAnswer, checksumsFact } from '../../src/bucket-check/checksums';
import type { ChecksumAnswer, ChecksumAnswers } from '../../src/bucket-check/facts';
import { CHECK_PREFIX } from '../../src/bucket-check/probe';
import { cannedS3, s3Error } from '../support/canned-s3';

const NOW = new Date('2026-12-07T10:00:00Z');
const reply = (status: number, text = '') => ({ status, text });
const ctx = { bucket: 'b', region: 'us-east-1', endpoint: '' };

describe('a PUT with a wrong checksum header: what the answer means', () => {
  it.each([
    ['400 BadDigest (AWS, Swift for Content-MD5): verified', reply(400, s3Error('BadDigest', 'The CRC32 you specified did not match the calculated checksum.')), 'verified'],
    ['400 InvalidDigest: verified', reply(400, s3Error('InvalidDigest', 'The Content-MD5 you specified is not valid.')), 'verified'],
    ['400 XAmzContentChecksumMismatch: verified', reply(400, s3Error('XAmzContentChecksumMismatch', 'The provided x-amz-checksum header does not match what was computed.')), 'verified'],
    ['200 (s3rver; Swift for CRC32 and SHA-256): ignored, the bytes were stored', reply(200), 'ignored'],
    ['501 NotImplemented: refused', reply(501, s3Error('NotImplemented', 'A header you provided implies functionality that is not implemented')), 'refused'],
    ['501 without a body: refused', reply(501), 'refused'],
    ['400 InvalidArgument about the checksum: refused', reply(400, s3Error('InvalidArgument', 'x-amz-checksum-sha256 is not supported')), 'refused'],
    ['400 InvalidArgument about something else: unclear', reply(400, s3Error('InvalidArgument', 'Invalid storage class.')), 'unclear'],
    ['403 AccessDenied: unclear', reply(403, s3Error('AccessDenied', 'Access Denied')), 'unclear'],
    ['403 BadDigest is not a 400: unclear', reply(403, s3Error('BadDigest', 'odd')), 'unclear'],
    ['500 InternalError: unclear', reply(500, s3Error('InternalError', 'We encountered an internal error. Please try again.')), 'unclear'],
  ] as const)('%s', (_, answer, expected) => {
    expect(checksumAnswer(answer)).toBe(expected);
  });
});

describe('the checksums line, for each combination of answers', () => {
  const answers = (contentMd5: ChecksumAnswer, crc32: ChecksumAnswer, sha256: ChecksumAnswer): ChecksumAnswers => ({ contentMd5, crc32, sha256 });
  const checks = (names: string) => `This storage checks ${names} checksums: a file sent with one and damaged on the way is refused instead of stored.`;
  const none =
    'This storage does not check Content-MD5, CRC32 or SHA-256 checksums: a file damaged on the way would be stored without notice. Its size is still checked: an upload of another size is refused.';
  const REASON = 'The bucket refused: Access Denied.';

  it.each([
    ['Content-MD5 only (Swift)', answers('verified', 'ignored', 'ignored'), checks('Content-MD5')],
    ['CRC32 only', answers('ignored', 'verified', 'refused'), checks('CRC32')],
    ['SHA-256 only', answers('refused', 'refused', 'verified'), checks('SHA-256')],
    ['Content-MD5 and CRC32', answers('verified', 'verified', 'ignored'), checks('Content-MD5 and CRC32')],
    ['Content-MD5 and SHA-256', answers('verified', 'ignored', 'verified'), checks('Content-MD5 and SHA-256')],
    ['CRC32 and SHA-256', answers('ignored', 'verified', 'verified'), checks('CRC32 and SHA-256')],
    ['all three (AWS)', answers('verified', 'verified', 'verified'), checks('Content-MD5, CRC32 and SHA-256')],
    ['one verified, the others unclear: still ✓, it names the one', answers('unclear', 'verified', 'unclear'), checks('CRC32')],
  ])('verified: %s', (_, given, sentence) => {
    expect(checksumsFact(given, REASON)).toEqual({ id: 'checksums', status: 'ok', sentence });
  });

  it.each([
    ['all ignored (s3rver)', answers('ignored', 'ignored', 'ignored')],
    ['all refused', answers('refused', 'refused', 'refused')],
    ['some ignored, some refused', answers('ignored', 'refused', 'ignored')],
  ])('none verified, every answer clear: information, not a problem: %s', (_, given) => {
    expect(checksumsFact(given, REASON)).toEqual({ id: 'checksums', status: 'info', sentence: none });
  });

  it.each([
    ['all unclear', answers('unclear', 'unclear', 'unclear')],
    ['one unclear, none verified', answers('ignored', 'unclear', 'refused')],
  ])('an unclear answer and none verified: a problem that says what came back: %s', (_, given) => {
    expect(checksumsFact(given, REASON)).toEqual({
      id: 'checksums',
      status: 'problem',
      sentence: `Could not tell whether this storage checks files for damage on the way (Content-MD5, CRC32 and SHA-256 checksums). ${REASON}`,
    });
  });
});

describe('the checksums check: three signed PUTs, each file deleted', () => {
  /** A bucket answering each PUT by the checksum header it carries; DELETEs go through the SDK client. */
  function bucket(answer: (header: string, value: string) => Response | Promise<Response>) {
    const s3 = cannedS3((r) => (r.method === 'DELETE' ? { status: 204 } : { status: 500, body: s3Error('InternalError', 'unexpected') }));
    const puts: { path: string; signed: string[]; header: string; value: string }[] = [];
    const deps = {
      client: s3.client,
      now: () => NOW,
      uuid: () => 'u1',
      fetch: async (url: string, init?: RequestInit) => {
        const headers = new Headers(init?.headers);
        const [header, value] = [...headers].find(([name]) => name === 'content-md5' || name.startsWith('x-amz-checksum-')) ?? ['', ''];
        const u = new URL(url);
        puts.push({ path: `${init?.method} ${u.pathname}`, signed: u.searchParams.get('X-Amz-SignedHeaders')!.split(';'), header, value });
        return answer(header, value);
      },
    };
    return { s3, puts, deps };
  }
  const badDigest = () => new Response(s3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.'), { status: 400 });

  it('signs each checksum header into its URL, sends a wrong value of the right size, and deletes every key', async () => {
    const { s3, puts, deps } = bucket((header) => (header === 'content-md5' ? badDigest() : new Response('', { status: 200 })));
    const result = await checkChecksums(deps, ctx);
    expect(puts.map(({ path, header, value }) => [path, header, value])).toEqual([
      [`PUT /b/${CHECK_PREFIX}u1-checksum-md5.txt`, 'content-md5', 'AAAAAAAAAAAAAAAAAAAAAA=='],
      [`PUT /b/${CHECK_PREFIX}u1-checksum-crc32.txt`, 'x-amz-checksum-crc32', 'AAAAAA=='],
      [`PUT /b/${CHECK_PREFIX}u1-checksum-sha256.txt`, 'x-amz-checksum-sha256', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ]);
    // Every header sent is signed: AWS refuses an unsigned x-amz-* header on a presigned URL.
    for (const put of puts) expect(put.signed).toEqual(['content-length', 'content-type', 'host', put.header].sort());
    expect(result.answers).toEqual({ contentMd5: 'verified', crc32: 'ignored', sha256: 'ignored' });
    expect(result.fact).toMatchObject({ id: 'checksums', status: 'ok', sentence: expect.stringMatching(/^This storage checks Content-MD5 checksums/) });
    // Deleted whatever came back: a refused PUT stored nothing, but a DELETE of a free name costs nothing and is answered 204.
    expect(s3.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['md5', 'crc32', 'sha256'].map((a) => `DELETE /b/${CHECK_PREFIX}u1-checksum-${a}.txt`));
  });

  it('on a bucket with versioning, a file stored with a wrong checksum is deleted by its version', async () => {
    const { s3, deps } = bucket((header) =>
      header === 'x-amz-checksum-sha256' ? new Response('', { status: 200, headers: { 'x-amz-version-id': 'v-sha' } }) : badDigest(),
    );
    const result = await checkChecksums(deps, ctx);
    expect(result.answers).toEqual({ contentMd5: 'verified', crc32: 'verified', sha256: 'ignored' });
    expect(s3.requests.map((r) => [r.path, r.query.versionId])).toEqual([
      [`/b/${CHECK_PREFIX}u1-checksum-md5.txt`, undefined],
      [`/b/${CHECK_PREFIX}u1-checksum-crc32.txt`, undefined],
      [`/b/${CHECK_PREFIX}u1-checksum-sha256.txt`, 'v-sha'],
    ]);
  });

  it('no answer at all: a problem that says why, nothing stored for uploads, and the keys deleted all the same', async () => {
    const { s3, deps } = bucket(() => Promise.reject(new TypeError('fetch failed')));
    const result = await checkChecksums(deps, ctx);
    expect(result.answers).toBeUndefined();
    expect(result.fact.status).toBe('problem');
    expect(result.fact.sentence).toBe(
      'Could not tell whether this storage checks files for damage on the way (Content-MD5, CRC32 and SHA-256 checksums). Cannot reach AWS S3. Check the endpoint URL, that the service is running, and your connection.',
    );
    expect(s3.requests.map((r) => r.method)).toEqual(['DELETE', 'DELETE', 'DELETE']);
  });

  it('a 403 for one header: the line says what came back, and the clear answers are kept', async () => {
    const { deps } = bucket((header) =>
      header === 'content-md5' ? new Response(s3Error('AccessDenied', 'Access Denied'), { status: 403 }) : new Response('', { status: 200 }),
    );
    const result = await checkChecksums(deps, ctx);
    expect(result.answers).toEqual({ contentMd5: 'unclear', crc32: 'ignored', sha256: 'ignored' });
    expect(result.fact.status).toBe('problem');
    expect(result.fact.sentence).toMatch(/\(Content-MD5, CRC32 and SHA-256 checksums\)\. These keys are not allowed to upload in bucket "b": .*s3:PutObject/);
  });
});
