/**
 * The probe: a small file PUT and read back through the same presigned URLs
 * uploads and share links use, then deleted. Everything the check writes
 * goes under one reserved prefix, and is removed even when a step fails.
 */
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { t } from '../i18n/t';
import { describeFailure, failureFromError, failureFromResponse, type FailureContext, type S3Operation } from '../s3/errors';
import { presignShareLink, presignUpload, type UploadTarget } from '../s3/presign';
import type { FetchLike } from '../s3/region';
import { fact, type BucketFact } from './facts';

/** Where the check writes: a name no key template of S3 Drop produces by default, easy to spot and to exclude from rules. */
export const CHECK_PREFIX = '.s3-drop-check/';

export interface ProbeDeps {
  client: S3Client;
  fetch: FetchLike;
  now(): Date;
  uuid(): string;
}

/** The bucket, as failures name it. */
export type ProbeContext = Omit<FailureContext, 'operation' | 'describe'>;

/** A reply read from a PUT or GET with fetch: status, body, and what S3 said when it refused. */
export interface Reply {
  status: number;
  text: string;
  /** `x-amz-version-id` of what a PUT stored, on a bucket with versioning: deleting it by version removes it for good. */
  versionId?: string;
}

export const probeBody = (now: Date) => `S3 Drop checked this bucket at ${now.toISOString()}. This file is deleted right away.\n`;

/** What a probe PUT may sign besides type and size: a condition, a checksum, tags. */
export type ProbeHeaders = Pick<UploadTarget, 'ifNoneMatch' | 'checksum' | 'tagging'>;

/** PUTs `body` through a presigned upload URL, exactly as the upload runner sends one, with the headers `extra` adds. */
export async function putThroughUrl(deps: ProbeDeps, bucket: string, key: string, body: string, extra: ProbeHeaders = {}): Promise<Reply> {
  const bytes = new TextEncoder().encode(body);
  const url = await presignUpload(deps.client, {
    bucket,
    key,
    contentType: 'text/plain',
    contentLength: bytes.length,
    ...extra,
    now: deps.now(),
  });
  const res = await deps.fetch(url.url, { method: 'PUT', headers: url.headers, body: bytes });
  const versionId = res.headers.get('x-amz-version-id');
  return { status: res.status, text: await res.text(), ...(versionId ? { versionId } : {}) };
}

/** The sentence for a refused request (an S3 error reply), or for one that never got an answer. */
export function refusal(reply: Reply | unknown, operation: S3Operation, ctx: ProbeContext): string {
  const failure =
    reply && typeof reply === 'object' && 'status' in reply && 'text' in reply
      ? failureFromResponse((reply as Reply).status, (reply as Reply).text)
      : failureFromError(reply);
  return describeFailure(failure, { operation, ...ctx }).message;
}

/**
 * Deletes what the check wrote; `null` when gone, else the sentence. A key
 * that is already gone counts as deleted (S3 answers 204 either way). On a
 * bucket with versioning a plain DELETE only hides the file behind a delete
 * marker, so the versions the check stored are deleted by id; keys that may
 * not delete versions still hide the file with a plain DELETE.
 */
export async function removeKey(client: S3Client, bucket: string, key: string, ctx: ProbeContext, versionIds: readonly string[] = []): Promise<string | null> {
  try {
    let hide = versionIds.length === 0;
    for (const VersionId of versionIds)
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId })).catch(() => {
        hide = true;
      });
    if (hide) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    return null;
  } catch (err) {
    return describeFailure(failureFromError(err), { operation: 'delete', ...ctx }).message;
  }
}

/**
 * PUT, GET through a signed link, `whileStored` (the link checks, which need
 * the file), DELETE. The probe's line says which step failed and what that
 * means for uploads, links or Delete.
 */
export async function checkProbe(
  deps: ProbeDeps,
  ctx: ProbeContext,
  whileStored: (key: string, body: string) => Promise<BucketFact[]>,
): Promise<BucketFact[]> {
  const key = `${CHECK_PREFIX}${deps.uuid()}.txt`;
  const body = probeBody(deps.now());
  let stored: Reply | undefined;
  const facts: BucketFact[] = [];
  let line: BucketFact | undefined;
  try {
    let put: Reply;
    try {
      put = await putThroughUrl(deps, ctx.bucket, key, body);
    } catch (err) {
      return [fact('probe', 'problem', t('check_probePutFailed', { reason: refusal(err, 'upload', ctx) }))];
    }
    if (put.status !== 200) return [fact('probe', 'problem', t('check_probePutFailed', { reason: refusal(put, 'upload', ctx) }))];
    stored = put;
    line = await readBack(deps, ctx, key, body);
    facts.push(...(await whileStored(key, body)));
  } finally {
    if (stored) {
      const failed = await removeKey(deps.client, ctx.bucket, key, ctx, stored.versionId ? [stored.versionId] : []);
      if (failed) line = fact('probe', 'problem', t('check_probeDeleteFailed', { reason: failed, key }));
    }
  }
  return [line ?? fact('probe', 'ok', t('check_probeOk')), ...facts];
}

/** GET through a short presigned share link; `undefined` when the bytes came back. */
async function readBack(deps: ProbeDeps, ctx: ProbeContext, key: string, body: string): Promise<BucketFact | undefined> {
  try {
    const link = await presignShareLink(deps.client, {
      bucket: ctx.bucket,
      key,
      fileName: 'check.txt',
      contentType: 'text/plain',
      expiresIn: 60,
      now: deps.now(),
    });
    const res = await deps.fetch(link.url, { method: 'GET' });
    const reply = { status: res.status, text: await res.text() };
    if (reply.status !== 200) return fact('probe', 'problem', t('check_probeGetFailed', { reason: refusal(reply, 'share', ctx) }));
    if (reply.text !== body) return fact('probe', 'problem', t('check_probeGetDifferent'));
    return undefined;
  } catch (err) {
    return fact('probe', 'problem', t('check_probeGetFailed', { reason: refusal(err, 'share', ctx) }));
  }
}
