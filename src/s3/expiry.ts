import { t } from '../i18n/t';
import { userError, type UserError } from '../result';

/** SigV4 refuses presigned URLs that live longer than 7 days. */
export const MAX_LINK_EXPIRY_SECONDS = 7 * 24 * 3600;
/** Anyone holding an upload URL can fill the bucket: keep it short. */
export const UPLOAD_URL_EXPIRY_SECONDS = 5 * 60;
export const MAX_UPLOAD_URL_EXPIRY_SECONDS = 15 * 60;
export const DEFAULT_LINK_EXPIRY_SECONDS = 24 * 3600;

/** Each label is the duration said as `describeDuration` says it ("15 minutes"). */
export const LINK_EXPIRY_PRESETS: readonly { seconds: number; label: string }[] = [15 * 60, 3600, 24 * 3600, MAX_LINK_EXPIRY_SECONDS].map(
  (seconds) => ({ seconds, label: describeDuration(seconds) }),
);

/** Returns a sentence for an unusable link expiry, or `null`. */
export function validateLinkExpiry(seconds: number): string | null {
  if (!Number.isInteger(seconds) || seconds < 1) return t('expiry_notWhole');
  if (seconds > MAX_LINK_EXPIRY_SECONDS) return t('expiry_tooLong');
  return null;
}

/** The refusal of a link expiry a page asked for (none asked: none refused); no destination signs one outside 1 s to 7 days. */
export function linkExpiryRefusal(seconds: number | undefined): UserError | null {
  const invalid = seconds === undefined ? null : validateLinkExpiry(seconds);
  return invalid ? userError('InvalidExpiry', invalid) : null;
}

/** Clamps an upload-URL lifetime into [1 s, 15 min]. */
export function uploadUrlExpiry(seconds = UPLOAD_URL_EXPIRY_SECONDS): number {
  return Math.min(Math.max(1, Math.floor(seconds)), MAX_UPLOAD_URL_EXPIRY_SECONDS);
}

/** "1 day", "3 hours", "15 minutes" — for telling the user when a link dies. */
export function describeDuration(seconds: number): string {
  const units = [
    [86400, 'duration_dayOne', 'duration_dayMany'],
    [3600, 'duration_hourOne', 'duration_hourMany'],
    [60, 'duration_minuteOne', 'duration_minuteMany'],
    [1, 'duration_secondOne', 'duration_secondMany'],
  ] as const;
  for (const [size, one, many] of units) {
    if (seconds >= size && seconds % size === 0) {
      const count = seconds / size;
      return count === 1 ? t(one) : t(many, { count });
    }
  }
  return t('duration_secondMany', { count: seconds });
}

/** When the session token ends (ms), if the profile says and says it in a readable form; else `null`. */
export function tokenExpiresAt(profile: { sessionTokenExpiration?: string }): number | null {
  const expires = profile.sessionTokenExpiration ? Date.parse(profile.sessionTokenExpiration) : Number.NaN;
  return Number.isNaN(expires) ? null : expires;
}

/**
 * How long a share link can really live: the expiry asked for this upload
 * (default: the profile's), cut to the session token's remaining life when it
 * is known (a URL signed with temporary credentials dies with them). At least
 * 1 s, so an expired token still yields a URL S3 refuses with ExpiredToken
 * rather than no URL at all.
 */
export function shareLinkLifetime(
  profile: { linkExpirySeconds: number; sessionTokenExpiration?: string },
  now: Date,
  requested: number = profile.linkExpirySeconds,
): number {
  const expires = tokenExpiresAt(profile);
  if (expires === null) return requested;
  return Math.max(1, Math.min(requested, Math.floor((expires - now.getTime()) / 1000)));
}

/**
 * When a link asked to live `requested` seconds really ends because the
 * session token ends first: that moment (ms), or `null` when the link gets
 * all it asked for (no known token expiry, or a token that outlives it).
 */
export function tokenCutsLink(profile: { sessionTokenExpiration?: string }, requested: number, now: number): number | null {
  const expires = tokenExpiresAt(profile);
  if (expires === null) return null;
  return expires < now + requested * 1000 ? expires : null;
}

/** Units a custom link expiry is typed in. */
export type ExpiryUnit = 'minutes' | 'hours' | 'days';
export const EXPIRY_UNIT_SECONDS: Record<ExpiryUnit, number> = { minutes: 60, hours: 3600, days: 86400 };

/** Whether an expiry is one of the presets (else the options page shows it as a custom value). */
export function isPresetExpiry(seconds: number): boolean {
  return LINK_EXPIRY_PRESETS.some((p) => p.seconds === seconds);
}

/**
 * A custom expiry in the largest unit that divides it: 5400 s → 90 minutes,
 * 172800 s → 2 days. Seconds that no unit divides come back in minutes,
 * rounded up (the options page offers whole minutes at least).
 */
export function splitExpiry(seconds: number): { amount: number; unit: ExpiryUnit } {
  for (const unit of ['days', 'hours', 'minutes'] as const)
    if (seconds >= EXPIRY_UNIT_SECONDS[unit] && seconds % EXPIRY_UNIT_SECONDS[unit] === 0) return { amount: seconds / EXPIRY_UNIT_SECONDS[unit], unit };
  return { amount: Math.max(1, Math.ceil(seconds / 60)), unit: 'minutes' };
}

/** Seconds for a custom expiry as typed (`NaN` when the amount is not a number; validate with validateLinkExpiry). */
export function joinExpiry(amount: number, unit: ExpiryUnit): number {
  return amount * EXPIRY_UNIT_SECONDS[unit];
}
