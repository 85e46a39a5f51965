import { HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/s3/client';
import { launchExtension, OptionsPage, PopupPage, type ExtensionBrowser } from '../support/extension';
import { SLOW_DOWN, startFaultProxy, type Fault, type FaultProxy, type FaultSchedule, type ProxyLogEntry } from '../support/fault-proxy';
import { sha256Of } from '../support/download';
import { strictLaneAvailable } from '../support/lanes';
import { connectionTo, startSwift, type S3Server } from '../support/s3-servers';

const BUCKET = 'xhr-faults';
const MiB = 1024 * 1024;
/** Two parts of 12 MiB (half the file: parts grow with it) once the profile sends files above 5 MiB in parts. */
const SIZE = 24 * MiB;

/** One PUT of a part, as the proxy saw it. */
interface PartAttempt extends ProxyLogEntry {
  partNumber: number;
  uploadId: string;
  key: string;
  params: URLSearchParams;
}

function partAttempt(entry: ProxyLogEntry): PartAttempt | null {
  const url = new URL(entry.url, 'http://proxy');
  const partNumber = url.searchParams.get('partNumber');
  const uploadId = url.searchParams.get('uploadId');
  if (entry.method !== 'PUT' || !partNumber || !uploadId) return null;
  // Path-style: /bucket/key…
  const key = decodeURIComponent(url.pathname).split('/').slice(2).join('/');
  return { ...entry, partNumber: Number(partNumber), uploadId, key, params: url.searchParams };
}

/**
 * The popup's real upload path in Chromium — the queue in the offscreen
 * document, parts sent with XMLHttpRequest, part URLs signed by the service
 * worker — through a proxy that breaks chosen requests, in front of Swift's
 * s3api (which checks every signature). Every fault, retry, re-sign and abort
 * is counted from the proxy's own log, not from what the popup shows.
 */
describe.skipIf(!strictLaneAvailable())('the browser transport under faults, Chromium end to end', () => {
  let s3: S3Server;
  let proxy: FaultProxy;
  let ext: ExtensionBrowser;
  let client: S3Client;

  /** The PUTs of every part of the upload whose key ends with `name`, in order of arrival. */
  const attemptsFor = (name: string) =>
    proxy.log.map(partAttempt).filter((a): a is PartAttempt => !!a && a.key.endsWith(name));

  /** A schedule that answers the n-th arrival (0-based) of part `partNumber` of `name` with `faults[n]`, and forwards the rest. */
  function onPart(name: string, partNumber: number, faults: ((attempt: PartAttempt) => Fault)[]): FaultSchedule {
    let seen = 0;
    return (request) => {
      const attempt = partAttempt({ ...request, receivedAt: Date.now() });
      if (!attempt || !attempt.key.endsWith(name) || attempt.partNumber !== partNumber) return undefined;
      return faults[seen++]?.(attempt);
    };
  }

  /** Uploads a fresh 24 MiB file from the popup; the link must download the same bytes. */
  async function uploadThroughFaults(name: string): Promise<PartAttempt[]> {
    const popup = await PopupPage.open(ext);
    const sha256 = await popup.chooseGeneratedFile(name, SIZE);
    const link = await popup.linkFor(name, 90_000);
    await popup.page.close();
    expect(await sha256Of(link)).toEqual({ hex: sha256, bytes: SIZE });
    const attempts = attemptsFor(name);
    // One multipart upload in two parts of 12 MiB (parts grow with the file: half of it, 8 to 64 MiB), each stored in the end.
    expect(new Set(attempts.map((a) => a.uploadId)).size).toBe(1);
    expect(new Set(attempts.map((a) => a.partNumber))).toEqual(new Set([1, 2]));
    for (const part of [1, 2]) expect(attempts.filter((a) => a.partNumber === part).at(-1)?.status).toBe(200);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: attempts[0]!.key }));
    expect(head.ContentLength).toBe(SIZE);
    expect(head.ETag).toMatch(/-2"$/);
    return attempts;
  }

  const summary = (attempts: PartAttempt[]) =>
    attempts.map((a) => ({ part: a.partNumber, fault: a.fault, status: a.status, at: a.receivedAt - attempts[0]!.receivedAt, conn: a.connection, reused: a.reusedConnection }));

  beforeAll(async () => {
    s3 = await startSwift({ buckets: [BUCKET] });
    proxy = await startFaultProxy(s3.endpoint, () => undefined, { keepHost: true });
    client = createS3Client(connectionTo(s3, BUCKET));
    ext = await launchExtension({ hostOrigins: [`${proxy.origin}/*`] });
    // The proxy is the bucket's endpoint, as far as the extension knows.
    const options = await OptionsPage.open(ext);
    await options.fill({
      bucket: BUCKET,
      region: s3.region,
      endpoint: proxy.origin,
      pathStyle: true,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    });
    await options.page.getByLabel('Upload in parts above (MiB)').fill('5');
    const saved = await options.save();
    if (!saved.startsWith('Saved')) throw new Error(`The profile was not saved: ${saved}`);
    await options.page.close();
  });
  afterAll(async () => {
    await ext?.close();
    client?.destroy();
    await proxy?.close();
    await s3?.stop();
  });

  it('a connection dropped in the middle of a part: the part is sent again and the file arrives whole', async () => {
    const name = 'dropped-connection.bin';
    // Twice: Chrome's network stack may resend a request by itself when it failed on a kept-alive connection
    // (the log shows each attempt's connection); a drop it does not resend reaches XMLHttpRequest as an
    // error, and only the upload engine sends the part again after that.
    const drop = (): Fault => ({ kind: 'drop', afterBytes: 1 * MiB });
    proxy.schedule = onPart(name, 2, [drop, drop]);
    const attempts = await uploadThroughFaults(name);
    console.log('[xhr-faults] drop:', JSON.stringify(summary(attempts)));
    expect(attempts.filter((a) => a.partNumber === 2).map((a) => a.fault ?? a.status)).toEqual(['drop', 'drop', 200]);
    expect(attempts.filter((a) => a.partNumber !== 2).map((a) => a.status)).toEqual([200]);
  });

  it('503 SlowDown: the part is retried after a wait, and the file arrives whole', async () => {
    const name = 'slow-down.bin';
    proxy.schedule = onPart(name, 2, [() => SLOW_DOWN, () => SLOW_DOWN]);
    const attempts = await uploadThroughFaults(name);
    const part2 = attempts.filter((a) => a.partNumber === 2);
    const waits = part2.slice(1).map((a, i) => a.receivedAt - part2[i]!.answeredAt!);
    console.log('[xhr-faults] SlowDown:', JSON.stringify(summary(attempts)), `waits after each 503: ${waits.join(', ')} ms`);
    expect(part2.map((a) => a.status)).toEqual([503, 503, 200]);
    // Each retry came only after the refusal was answered (full jitter: the wait itself may be ~0).
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(0);
    expect(attempts.filter((a) => a.partNumber !== 2).map((a) => a.status)).toEqual([200]);
  });

  it('a part URL that expired: the part gets a freshly signed URL and the file arrives whole', async () => {
    const name = 'expired-url.bin';
    // S3's answer to an expired presigned URL, given once the URL's signing second is over,
    // so a URL signed afresh must carry a later X-Amz-Date (and so another signature).
    const expired = (a: PartAttempt): Fault => ({
      kind: 'error',
      status: 403,
      code: 'AccessDenied',
      message: 'Request has expired',
      notBefore: Date.parse(a.params.get('X-Amz-Date')!.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z')) + 1000,
    });
    proxy.schedule = onPart(name, 2, [expired]);
    const attempts = await uploadThroughFaults(name);
    console.log('[xhr-faults] expired:', JSON.stringify(summary(attempts)));
    const [refused, resent, ...more] = attempts.filter((a) => a.partNumber === 2);
    expect(more).toEqual([]);
    expect([refused!.status, resent!.status]).toEqual([403, 200]);
    expect(resent!.params.get('X-Amz-Date')! > refused!.params.get('X-Amz-Date')!).toBe(true);
    expect(resent!.params.get('X-Amz-Signature')).not.toBe(refused!.params.get('X-Amz-Signature'));
  });

  it('Cancel from the popup aborts the multipart upload: no upload, no parts, no object left', async () => {
    const name = 'stopped-midway.bin';
    // Part 1 is stored; parts 2 and 3 hang at the server, so the upload is certainly mid-way when Cancel is pressed.
    proxy.schedule = (request) => {
      const a = partAttempt({ ...request, receivedAt: Date.now() });
      return a?.key.endsWith(name) && a.partNumber !== 1 ? { kind: 'stall' } : undefined;
    };
    const popup = await PopupPage.open(ext);
    await popup.chooseGeneratedFile(name, SIZE);
    await expect.poll(() => attemptsFor(name).find((a) => a.partNumber === 1)?.status, { timeout: 60_000 }).toBe(200);
    const { key, uploadId } = attemptsFor(name)[0]!;
    const parts = await client.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
    expect(parts.Parts?.map((p) => p.PartNumber)).toEqual([1]);

    await popup.page.getByRole('button', { name: `Cancel upload of ${name}` }).click();
    await popup.page.getByText('Cancelled.', { exact: true }).waitFor();
    // The abort went through the proxy like every other request: DELETE ?uploadId=…, answered 204.
    const aborts = () =>
      proxy.log.filter((e) => e.method === 'DELETE' && new URL(e.url, 'http://proxy').searchParams.get('uploadId') === uploadId);
    await expect.poll(() => aborts().map((e) => e.status), { timeout: 15_000 }).toEqual([204]);
    const err = await client.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'NoSuchUpload' });
    const left = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
    expect(left.Uploads ?? []).toEqual([]);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).catch((e: unknown) => e);
    expect(head).toMatchObject({ $metadata: { httpStatusCode: 404 } });
    // Nothing was completed.
    expect(proxy.log.some((e) => e.method === 'POST' && e.url.includes(`uploadId=${encodeURIComponent(uploadId)}`))).toBe(false);
    await popup.page.close();
  });
});
