/**
 * Keys, clock, region and addressing: the lines every other check depends
 * on. The keys and region are asked as Test connection asks them (one signed
 * read-only request); the clock is read from the `Date` the server answers with.
 */
import { testConnection } from '../s3/connection-test';
import type { ClientOptions, S3Connection } from '../s3/client';
import { bucketOrigin, regionProbeUrl, usesPathStyle } from '../s3/endpoint';
import type { FetchLike } from '../s3/region';
import { t } from '../i18n/t';
import { fact, type BucketFact } from './facts';

/** S3 refuses a signature more than 15 minutes off; beyond a few minutes, upload URLs and links live visibly shorter or longer. */
export const CLOCK_SKEW_PROBLEM_MS = 5 * 60_000;

/**
 * Whose clock ours is compared with, and what a difference means: the
 * bucket's refuses our signatures; a presign service's signs the URLs, so
 * ours only misreads when they expire.
 */
const CLOCK_WORDS = {
  bucket: { ok: 'check_clockOk', ahead: 'check_clockAhead', behind: 'check_clockBehind', unknown: 'check_clockUnknown' },
  service: { ok: 'check_serviceClockOk', ahead: 'check_serviceClockAhead', behind: 'check_serviceClockBehind', unknown: 'check_serviceClockUnknown' },
} as const;

/** The clock line from the server's `Date` header and ours. */
export function clockFact(serverDate: string | null, now: Date, whose: keyof typeof CLOCK_WORDS = 'bucket'): BucketFact {
  const words = CLOCK_WORDS[whose];
  const server = serverDate ? Date.parse(serverDate) : NaN;
  if (Number.isNaN(server)) return fact('clock', 'info', t(words.unknown));
  const skew = now.getTime() - server;
  // HTTP dates have whole seconds: under two seconds apart is the same time.
  const seconds = Math.round(Math.abs(skew) / 1000);
  if (Math.abs(skew) < CLOCK_SKEW_PROBLEM_MS) return fact('clock', 'ok', t(words.ok, { seconds }));
  const minutes = Math.round(Math.abs(skew) / 60_000);
  return fact('clock', 'problem', skew > 0 ? t(words.ahead, { minutes }) : t(words.behind, { minutes }));
}

/** Reads the server's clock with one unsigned HEAD (the same address region detection asks); any answer carries a `Date`. */
export async function checkClock(conn: S3Connection, fetchImpl: FetchLike, now: () => Date): Promise<BucketFact> {
  try {
    const res = await fetchImpl(regionProbeUrl(conn).href, { method: 'HEAD', redirect: 'manual', credentials: 'omit' });
    return clockFact(res.headers.get('date'), now());
  } catch {
    return fact('clock', 'info', t('check_clockUnknown'));
  }
}

/** The address line: where requests go and how the bucket is named in them. */
function addressFact(conn: S3Connection, region: string): BucketFact {
  const style = usesPathStyle(conn) ? t('check_pathStyle') : t('check_virtualHosted');
  return fact('region', 'ok', t('check_regionOk', { origin: bucketOrigin(conn), style, region }));
}

/**
 * Keys and region, as Test connection finds them; plus, when a custom
 * endpoint cannot be reached with the bucket in the host name, whether it
 * answers path-style (servers on one host name usually only do that).
 */
export async function checkKeysAndRegion(conn: S3Connection, fetchImpl: FetchLike, options: ClientOptions = {}): Promise<{ facts: BucketFact[]; usable: boolean }> {
  const report = await testConnection(conn, fetchImpl, options);
  const region = conn.region || report.detectedRegion || 'us-east-1';
  if (report.ok) {
    const keys = fact('keys', 'ok', report.message);
    if (report.detectedRegion && conn.region && report.detectedRegion !== conn.region)
      return { facts: [keys, fact('region', 'problem', t('check_regionDiffers', { region: report.detectedRegion, signed: conn.region }))], usable: false };
    return { facts: [keys, addressFact(conn, region)], usable: true };
  }
  const code = report.error?.code;
  if (report.error?.fix?.kind === 'use-region')
    return { facts: [fact('keys', 'skipped', t('check_keysAfterRegion')), fact('region', 'problem', report.message)], usable: false };
  if (code === 'RequestTimeTooSkewed')
    return { facts: [fact('keys', 'skipped', t('check_keysAfterClock')), fact('clock', 'problem', report.message)], usable: false };
  if (code === 'NetworkError' && conn.endpoint && !usesPathStyle(conn)) {
    const pathStyle = await testConnection({ ...conn, forcePathStyle: true }, fetchImpl, options);
    if (pathStyle.ok)
      return { facts: [fact('keys', 'ok', pathStyle.message), fact('region', 'problem', t('check_needsPathStyle', { endpoint: conn.endpoint }))], usable: false };
  }
  return { facts: [fact('keys', 'problem', report.message)], usable: false };
}
