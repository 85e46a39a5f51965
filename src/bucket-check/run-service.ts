/**
 * "Check my bucket" for a profile whose URLs a team's presign service signs.
 * S3 Drop holds no key to the bucket, so it checks what can be observed: the
 * service answering, its clock, and one tiny test file uploaded and opened
 * through URLs the service signs. Every request goes through the destination
 * uploads and links use (its signer, its sentences), with `fetch` injected,
 * so it runs in Node against test services as in the browser.
 */
import type { Destination } from '../destination/destination';
import { t } from '../i18n/t';
import { describeFailure, failureFromError, failureFromResponse, type FailureContext, type S3Operation } from '../s3/errors';
import type { FetchLike } from '../s3/region';
import type { PresignServiceProfile } from '../settings/profile';
import { S3_ANSWERS_BY_SIGNER } from '../team/errors';
import { serviceName } from '../team/service-url';
import { readSignedUrl } from '../team/signed-url';
import { fetchTransport } from '../upload/fetch-transport';
import { clockFact } from './access';
import { CHECK_IDS, fact, type BucketCheck, type BucketFact } from './facts';
import { checksFor } from './lines';
import { CHECK_PREFIX } from './probe';

export interface ServiceCheckDeps {
  /** Reaches the service (through the destination) and S3 (the test file's PUT and GET). */
  fetch: FetchLike;
  now(): Date;
  uuid(): string;
}

/** Opens the profile's destination, as uploads open it, over the fetch given (the check reads the service's replies through it). */
export type OpenServiceDestination = (fetch: FetchLike) => Destination;

/**
 * The test file's name: the reserved folder, under the template's leading
 * folders, since a service may sign names under its own prefix only (the
 * template starts with it: `drop/{uuid}/{name}` gives `drop/.s3-drop-check/…`).
 */
export function serviceProbeKey(keyTemplate: string, uuid: string): string {
  const literal = keyTemplate.split('{')[0] ?? '';
  return `${literal.slice(0, literal.lastIndexOf('/') + 1)}${CHECK_PREFIX}${uuid}.txt`;
}

/** What the test file holds: it stays in the bucket, so it says what it is. */
export const serviceProbeBody = (now: Date) => `S3 Drop checked the presign service's URLs at ${now.toISOString()}. This file can be deleted.\n`;

/** How S3's answers to the destination's URLs are described: as the upload path describes them. */
function answersContext(destination: Destination, operation: S3Operation): FailureContext {
  const { signer, ...where } = destination.transferContext;
  const describe = S3_ANSWERS_BY_SIGNER[signer];
  return { operation, ...where, ...(describe ? { describe } : {}) };
}

function inOrder(facts: BucketFact[]): BucketFact[] {
  return [...facts].sort((a, b) => CHECK_IDS.indexOf(a.id) - CHECK_IDS.indexOf(b.id));
}

export async function runServiceCheck(deps: ServiceCheckDeps, profile: PresignServiceProfile, open: OpenServiceDestination): Promise<BucketCheck> {
  const ids = checksFor(profile);
  const facts: BucketFact[] = [fact('bucketSettings', 'info', t('check_bucketSettingsService'))];
  const result = (why?: { after: 'service' | 'probe' }): BucketCheck => {
    // Whatever was not asked says why, so the list always has the same lines.
    const reason = why?.after === 'probe' ? t('check_skippedAfterProbe') : t('check_skippedAfterAccess');
    const missing = ids.filter((id) => !facts.some((f) => f.id === id)).map((id) => fact(id, 'skipped', reason));
    return {
      profileId: profile.id,
      checkedAt: deps.now().getTime(),
      address: {
        bucket: profile.bucket,
        endpoint: profile.endpoint,
        region: profile.region,
        forcePathStyle: profile.forcePathStyle,
        serviceUrl: profile.serviceUrl,
      },
      facts: inOrder([...facts, ...missing]),
    };
  };

  // The service's replies, as they came: the first one's Date is its clock (a refusal carries one too).
  const replies: { date: string | null; at: Date }[] = [];
  const destination = open(async (input, init) => {
    const res = await deps.fetch(input, init);
    replies.push({ date: res.headers.get('date'), at: deps.now() });
    return res;
  });

  const key = serviceProbeKey(profile.keyTemplate, deps.uuid());
  const bytes = new TextEncoder().encode(serviceProbeBody(deps.now()));
  const signed = await destination.signPut({ key, contentType: 'text/plain', size: bytes.length });
  const [first] = replies;
  if (first) facts.push(clockFact(first.date, first.at, 'service'));
  // The sentence an upload would show: the destination made it.
  if (!signed.ok) {
    facts.push(fact('service', 'problem', signed.error.message));
    return result({ after: 'service' });
  }
  const url = readSignedUrl(signed.value.url);
  const where = url.region ? t('team_hostInRegion', { host: url.host, region: url.region }) : url.host;
  facts.push(fact('service', 'ok', t('check_serviceOk', { service: serviceName(profile), where })));

  // One attempt, sent as uploads send it (the transport, the service's headers), and read as uploads read it.
  const refused = await putOnce(deps.fetch, signed.value, bytes, answersContext(destination, 'upload'));
  if (refused) {
    facts.push(fact('probe', 'problem', t('check_probePutFailed', { reason: refused })));
    return result({ after: 'probe' });
  }
  // No delete in the service's contract: the line says what stays, and where.
  facts.push(fact('probe', 'ok', t('check_serviceProbeOk', { key, size: bytes.length })));
  facts.push(await readBack(deps.fetch, destination, key, bytes));
  return result();
}

/** PUTs the test file; `null` when stored, else the upload path's sentence. */
async function putOnce(fetchImpl: FetchLike, signed: { url: string; headers: Record<string, string> }, bytes: Uint8Array<ArrayBuffer>, context: FailureContext): Promise<string | null> {
  try {
    // The transport calls fetch with the URL as a string.
    const res = await fetchTransport((input, init) => fetchImpl(String(input), init)).put({ url: signed.url, body: new Blob([bytes]), headers: signed.headers });
    if (res.status >= 200 && res.status < 300) return null;
    return describeFailure(failureFromResponse(res.status, res.body, res.bucketRegion), context).message;
  } catch (err) {
    return describeFailure(failureFromError(err), context).message;
  }
}

/** The link line: a short link the service signs, opened as a stranger opens it, and its bytes compared. */
async function readBack(fetchImpl: FetchLike, destination: Destination, key: string, bytes: Uint8Array<ArrayBuffer>): Promise<BucketFact> {
  const link = await destination.shareLink({ key, fileName: 'check.txt', contentType: 'text/plain', expiresIn: 60 });
  if (!link.ok) return fact('probeLink', 'problem', t('check_serviceLinkFailed', { reason: link.error.message }));
  const context = answersContext(destination, 'download');
  try {
    const res = await fetchImpl(link.value.url, { method: 'GET', cache: 'no-store', credentials: 'omit' });
    if (res.status !== 200) {
      const reason = describeFailure(failureFromResponse(res.status, await res.text(), res.headers.get('x-amz-bucket-region')), context).message;
      return fact('probeLink', 'problem', t('check_probeGetFailed', { reason }));
    }
    const got = new Uint8Array(await res.arrayBuffer());
    const same = got.length === bytes.length && got.every((b, i) => b === bytes[i]);
    return same ? fact('probeLink', 'ok', t('check_serviceLinkOk')) : fact('probeLink', 'problem', t('check_probeGetDifferent'));
  } catch (err) {
    return fact('probeLink', 'problem', t('check_probeGetFailed', { reason: describeFailure(failureFromError(err), context).message }));
  }
}
