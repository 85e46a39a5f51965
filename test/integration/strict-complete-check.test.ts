/**
 * No false failures, on the strict lane: the join of a multipart upload
 * (CompleteMultipartUpload, `POST ?uploadId=`) reaches Swift, which joins the
 * parts, but its answer never reaches S3 Drop. The upload is still reported
 * done, with a link that serves the same bytes. And a join that really failed
 * is still reported failed, with its sentence.
 *
 * The profile's endpoint is a fault proxy in front of Swift: every signed
 * request (the background's SDK calls and the part PUTs) goes through it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, openAsBlob, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/s3/client';
import { s3MultipartSigner } from '../../src/s3/multipart';
import { fetchTransport } from '../../src/upload/fetch-transport';
import { uploadMultipart } from '../../src/upload/multipart';
import { runUpload, type UploadOutcome } from '../../src/upload/pipeline';
import type { UploadStart } from '../../src/upload/ticket';
import { sha256Of } from '../support/download';
import { startFaultProxy, type Fault, type FaultProxy, type ProxyLogEntry } from '../support/fault-proxy';
import { fakeSettings } from '../support/fake-settings';
import { strictLaneAvailable } from '../support/lanes';
import { realBackground, saveServerProfile, type RealBackground } from '../support/real-background';
import { connectionTo, startSwift, type S3Server } from '../support/s3-servers';

const BUCKET = 'no-false-failures';
const MiB = 1024 * 1024;
const SIZE = 21 * MiB + 12_345;
/**
 * How long the background's S3 client waits for an answer in this test (the
 * extension waits a minute): long enough for Swift on a loaded machine,
 * short enough that two held-back attempts of the join end in seconds.
 */
const REQUEST_TIMEOUT_MS = 4000;

/** The join of a multipart upload: `POST /bucket/key?uploadId=…` (the start is `?uploads`). */
const isJoin = (e: { method: string; url: string }) => e.method === 'POST' && /[?&]uploadId=/.test(e.url);

describe.skipIf(!strictLaneAvailable())('a join whose answer is lost (Swift s3api behind a proxy)', () => {
  let s3: S3Server;
  let proxy: FaultProxy;
  let background: RealBackground;
  let dir: string;
  let file: { path: string; sha256: string };
  let uniqueProfile: string;
  let collidingProfile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3drop-complete-check-'));
    const bytes = randomBytes(SIZE);
    file = { path: join(dir, 'clip.mp4'), sha256: createHash('sha256').update(bytes).digest('hex') };
    writeFileSync(file.path, bytes);
    s3 = await startSwift({ buckets: [BUCKET] });
    // URLs and SDK calls are signed for the proxy's address; it forwards them with the Host they came with.
    proxy = await startFaultProxy(s3.endpoint, () => undefined, { keepHost: true });
    background = realBackground(fakeSettings(), { clientOptions: { requestTimeoutMs: REQUEST_TIMEOUT_MS } });
    const server = { ...s3, endpoint: proxy.origin };
    // Files above 8 MiB go in parts.
    uniqueProfile = await saveServerProfile(background.service, server, BUCKET, { name: 'unique', keyTemplate: 'clips/{uuid}-{name}', multipartThresholdMiB: 8 });
    collidingProfile = await saveServerProfile(background.service, server, BUCKET, { name: 'by-name', keyTemplate: 'by-name/{name}', multipartThresholdMiB: 8 });
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await s3?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Uploads the file through the one pipeline, with `joinFault` for each join attempt (by attempt, from 1).
   * `beforeParts` runs once the key is chosen, before any part goes up.
   */
  async function upload(
    profileId: string,
    joinFault: (attempt: number) => Fault | undefined,
    beforeParts?: (start: UploadStart) => Promise<void>,
  ): Promise<{ outcome: UploadOutcome; seen: ProxyLogEntry[] }> {
    const from = proxy.log.length;
    let attempt = 0;
    proxy.schedule = (request) => (isJoin(request) ? joinFault(++attempt) : undefined);
    const copied: string[] = [];
    let ready = Promise.resolve();
    const parts = fetchTransport();
    const outcome = await runUpload(
      { body: await openAsBlob(file.path, { type: 'video/mp4' }), name: 'clip.mp4', type: 'video/mp4', source: 'popup', profileId },
      {
        backend: background.uploads,
        transport: {
          put: async (request) => {
            await ready;
            return parts.put(request);
          },
        },
        copy: async (text) => {
          copied.push(text);
          return true;
        },
      },
      { onStarted: (start) => (ready = beforeParts?.(start) ?? ready) },
    );
    proxy.schedule = () => undefined;
    if (outcome.status === 'done') expect(copied).toEqual([outcome.link]);
    return { outcome, seen: proxy.log.slice(from) };
  }

  const summary = (seen: ProxyLogEntry[]) =>
    seen
      .filter((e) => e.method !== 'PUT')
      .map((e) => `${isJoin(e) ? 'join' : e.method} ${e.fault ? `${e.fault}${e.heldStatus ? ` (Swift said ${e.heldStatus})` : ''}` : e.status}`)
      .join(', ');

  it('every answer to the join held back until the client gives up: done, and the link serves the same bytes', async () => {
    const t = performance.now();
    const { outcome, seen } = await upload(uniqueProfile, () => ({ kind: 'hold' }));
    console.log(`[complete-check] held joins: ${summary(seen)}; ${((performance.now() - t) / 1000).toFixed(1)} s`);
    expect(outcome).toMatchObject({ status: 'done', key: expect.stringMatching(/^clips\/[0-9a-f-]{36}-clip\.mp4$/) });
    if (outcome.status !== 'done') return;
    const joins = seen.filter(isJoin);
    // Swift really joined the parts: the first held answer was a 200 (the SDK's retry was held too).
    expect(joins.length).toBeGreaterThanOrEqual(1);
    expect(joins.every((e) => e.fault === 'hold' && e.status === undefined)).toBe(true);
    expect(joins[0]!.heldStatus).toBe(200);
    // Then the bucket was asked, after the last join attempt.
    const head = seen.findIndex((e) => e.method === 'HEAD');
    expect(head).toBeGreaterThan(seen.indexOf(joins.at(-1)!));
    expect(seen[head]!.status).toBe(200);
    const got = await sha256Of(outcome.link);
    expect(got).toEqual({ hex: file.sha256, bytes: SIZE });
  }, 60_000);

  it('the first answer held back, the retry answered: done, whichever way Swift answers a second join', async () => {
    const { outcome, seen } = await upload(uniqueProfile, (attempt) => (attempt === 1 ? { kind: 'hold' } : undefined));
    console.log(`[complete-check] held, then retried: ${summary(seen)}`);
    expect(outcome.status).toBe('done');
    if (outcome.status !== 'done') return;
    const joins = seen.filter(isJoin);
    expect(joins.map((e) => e.fault)).toEqual(['hold', undefined]);
    expect(joins[0]!.heldStatus).toBe(200);
    // A retry that found the upload gone (NoSuchUpload) is checked with HEAD; one that Swift answered 200 needs none.
    const heads = seen.filter((e) => e.method === 'HEAD');
    expect(heads.length).toBe(joins[1]!.status === 200 ? 0 : 1);
    expect(await sha256Of(outcome.link)).toEqual({ hex: file.sha256, bytes: SIZE });
  }, 60_000);

  it('a key that can collide (name only): confirmed by the ETag Swift gave the joined parts, done', async () => {
    const { outcome, seen } = await upload(collidingProfile, () => ({ kind: 'hold' }));
    console.log(`[complete-check] held joins, name-only key: ${summary(seen)}`);
    expect(outcome).toMatchObject({ status: 'done', key: 'by-name/clip.mp4' });
    if (outcome.status !== 'done') return;
    expect(seen.filter((e) => e.method === 'HEAD').at(-1)!.status).toBe(200);
    expect(await sha256Of(outcome.link)).toEqual({ hex: file.sha256, bytes: SIZE });
  }, 60_000);

  it('a key that can collide, taken meanwhile by another upload of the same size and part count: not mistaken for ours', async () => {
    const other = createS3Client(connectionTo(s3, BUCKET));
    let key = '';
    let partCount = 0;
    // Someone else's file of the same size, in as many parts, lands on the key while our parts go up.
    const theirs = async (start: UploadStart) => {
      key = start.ticket.key;
      if (start.transfer.kind !== 'multipart') throw new Error('expected parts');
      partCount = Math.ceil(SIZE / start.transfer.partSize);
      await uploadMultipart({
        body: new Blob([new Uint8Array(randomBytes(SIZE))]),
        signer: s3MultipartSigner(other, { bucket: BUCKET, key, contentType: 'video/mp4' }),
        transport: fetchTransport(),
        context: { operation: 'upload', bucket: BUCKET, region: s3.region, endpoint: s3.endpoint },
        partSize: start.transfer.partSize,
      });
    };
    const fault: Fault = { kind: 'error', status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' };
    try {
      const { outcome, seen } = await upload(collidingProfile, () => fault, theirs);
      console.log(`[complete-check] join answered 500, key taken by another upload: ${summary(seen)}`);
      expect(outcome).toMatchObject({ status: 'failed', key, error: { code: 'InternalError' } });
      // The bucket was asked, and what it holds there has our size and part count but not our parts.
      expect(seen.filter((e) => e.method === 'HEAD').at(-1)!.status).toBe(200);
      const head = await other.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(head.ContentLength).toBe(SIZE);
      expect(partCount).toBeGreaterThan(1);
      expect(head.ETag).toMatch(new RegExp(`^"[0-9a-f]{32}-${partCount}"$`));
    } finally {
      other.destroy();
    }
  }, 60_000);

  it('the join refused with a server error it never forwarded: the check finds nothing, failed with the sentence', async () => {
    const fault: Fault = { kind: 'error', status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' };
    const { outcome, seen } = await upload(uniqueProfile, () => fault);
    console.log(`[complete-check] join answered 500 unforwarded: ${summary(seen)}`);
    expect(outcome).toMatchObject({
      status: 'failed',
      error: { code: 'InternalError', message: `${proxy.origin} had an internal error. Try again in a moment.` },
    });
    // The bucket was asked, and the object is not there: no false success.
    const heads = seen.filter((e) => e.method === 'HEAD');
    expect(heads.map((e) => e.status)).toEqual([404]);
  }, 60_000);

  it('the join refused outright (InvalidPart): failed with its sentence, without asking the bucket', async () => {
    const fault: Fault = { kind: 'error', status: 400, code: 'InvalidPart', message: 'One or more of the specified parts could not be found.' };
    const { outcome, seen } = await upload(uniqueProfile, () => fault);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'InvalidPart' } });
    expect(seen.filter(isJoin)).toHaveLength(1);
    expect(seen.filter((e) => e.method === 'HEAD')).toEqual([]);
  }, 60_000);
});
