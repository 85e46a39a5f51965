/**
 * Unsigned links: while the probe file is stored, is it served to anyone at
 * the bucket's plain URL (public links), or under the user's own domain
 * (own-domain links)? Asked only for profiles that make such links.
 */
import { t } from '../i18n/t';
import { customLinkUrl, publicObjectUrl } from '../s3/public-url';
import type { BucketAddress } from '../s3/endpoint';
import type { FetchLike } from '../s3/region';
import { fact, type BucketFact } from './facts';

/** An anonymous GET: no cookies, no signature, as a stranger opening the link. `null` when no answer came (network, or the browser would not let us read it). */
async function anonymousGet(fetchImpl: FetchLike, url: string): Promise<{ status: number; text: string } | null> {
  try {
    const res = await fetchImpl(url, { method: 'GET', credentials: 'omit', cache: 'no-store' });
    return { status: res.status, text: await res.text() };
  } catch {
    return null;
  }
}

/** Public links: the object's plain URL at the bucket. */
export async function checkPublicLink(fetchImpl: FetchLike, address: BucketAddress, key: string, body: string): Promise<BucketFact> {
  const url = publicObjectUrl(address, key);
  const reply = await anonymousGet(fetchImpl, url);
  if (reply?.status === 200 && reply.text === body) return fact('publicLinks', 'ok', t('check_publicOk'));
  if (!reply) return fact('publicLinks', 'problem', t('check_publicUnreachable'));
  return fact('publicLinks', 'problem', t('check_publicRefused', { status: reply.status }));
}

/** Own-domain links: the key under the profile's link base. */
export async function checkCustomLink(fetchImpl: FetchLike, linkBaseUrl: string, key: string, body: string): Promise<BucketFact> {
  const url = customLinkUrl(linkBaseUrl, key);
  const origin = new URL(url).origin;
  const reply = await anonymousGet(fetchImpl, url);
  if (reply?.status === 200 && reply.text === body) return fact('customLinks', 'ok', t('check_customOk', { origin }));
  if (!reply) return fact('customLinks', 'problem', t('check_customUnreachable', { origin }));
  if (reply.status === 200) return fact('customLinks', 'problem', t('check_customOther', { origin }));
  return fact('customLinks', 'problem', t('check_customRefused', { origin, status: reply.status }));
}
