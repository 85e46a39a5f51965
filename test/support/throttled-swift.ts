import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/s3/client';
import { launchExtension, saveKeysProfile, type ExtensionBrowser } from './extension';
import { partNumbers, uploadParts } from './resume';
import { connectionTo, startSwift, type S3Server } from './s3-servers';
import { startThrottleProxy, type ThrottleProxy } from './throttle-proxy';

/**
 * What the large-upload suites run against: Swift's s3api (real multipart,
 * signatures checked) behind a loopback proxy that passes each request's body
 * at a set rate, logs every request and can hold them back, so a test sees
 * which parts went when and can stop an upload where it is.
 */
export interface ThrottledSwift {
  s3: S3Server;
  proxy: ThrottleProxy;
}

export async function startThrottledSwift(bucket: string, bytesPerSecond: number): Promise<ThrottledSwift> {
  const s3 = await startSwift({ buckets: [bucket] });
  try {
    return { s3, proxy: await startThrottleProxy(s3.endpoint, bytesPerSecond) };
  } catch (err) {
    await s3.stop();
    throw err;
  }
}

/** Chromium with the built extension allowed on the proxy, and a keys profile for `bucket` that goes through it. */
export async function extensionThrough(server: ThrottledSwift, bucket: string, opts: { headed?: boolean } = {}): Promise<ExtensionBrowser> {
  const ext = await launchExtension({ hostOrigins: [`${server.proxy.origin}/*`], ...opts });
  await saveKeysProfile(ext, server.s3, bucket, server.proxy.origin);
  return ext;
}

/** Stops what was started, the browser first (its requests go through the proxy); any part may be missing after a failed start. */
export async function stopAll(parts: { ext?: { close(): Promise<void> }; server?: Partial<ThrottledSwift> }): Promise<void> {
  await parts.ext?.close();
  await parts.server?.proxy?.close();
  await parts.server?.s3?.stop();
}

/** The multipart uploads the bucket still holds (asked of Swift directly, not through the proxy). */
export async function multipartUploadsIn(s3: S3Server, bucket: string) {
  const client = createS3Client(connectionTo(s3, bucket));
  try {
    return (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [];
  } finally {
    client.destroy();
  }
}

/**
 * Holds the proxy, so the upload stops where it is, and waits until every
 * part whose bytes all went before the hold has its answer. Returns the part
 * numbers of `uploadId` the server answered.
 */
export async function holdAndSettle(proxy: ThrottleProxy, uploadId: string): Promise<number[]> {
  proxy.hold();
  const ofUpload = () => uploadParts(proxy.requests).filter((r) => r.uploadId === uploadId);
  await until('every part sent before the hold answered', () => !ofUpload().some((r) => r.sent && r.status === undefined), 30_000);
  return partNumbers(ofUpload().filter((r) => r.status === 200));
}

/**
 * Checks `done` every 250 ms until it holds; throws naming `what` after `ms`.
 * Also outside Vitest (test/manual/), where `expect.poll` cannot run.
 */
export async function until(what: string, done: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
