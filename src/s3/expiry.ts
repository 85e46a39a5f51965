/** SigV4 refuses presigned URLs that live longer than 7 days. */
export const MAX_LINK_EXPIRY_SECONDS = 7 * 24 * 3600;
/** Anyone holding an upload URL can fill the bucket: keep it short. */
export const UPLOAD_URL_EXPIRY_SECONDS = 5 * 60;
export const MAX_UPLOAD_URL_EXPIRY_SECONDS = 15 * 60;
export const DEFAULT_LINK_EXPIRY_SECONDS = 24 * 3600;

export const LINK_EXPIRY_PRESETS: readonly { seconds: number; label: string }[] = [
  { seconds: 15 * 60, label: '15 minutes' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 24 * 3600, label: '1 day' },
  { seconds: MAX_LINK_EXPIRY_SECONDS, label: '7 days' },
];

/** Returns a sentence for an unusable link expiry, or `null`. */
export function validateLinkExpiry(seconds: number): string | null {
  if (!Number.isInteger(seconds) || seconds < 1) return 'The link expiry must be a whole number of seconds, at least 1.';
  if (seconds > MAX_LINK_EXPIRY_SECONDS) return 'Share links can live at most 7 days (an S3 signature limit).';
  return null;
}

/** Clamps an upload-URL lifetime into [1 s, 15 min]. */
export function uploadUrlExpiry(seconds = UPLOAD_URL_EXPIRY_SECONDS): number {
  return Math.min(Math.max(1, Math.floor(seconds)), MAX_UPLOAD_URL_EXPIRY_SECONDS);
}

/** "1 day", "3 hours", "15 minutes" — for telling the user when a link dies. */
export function describeDuration(seconds: number): string {
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}

/**
 * How long a share link can really live: the profile's expiry, cut to the
 * session token's remaining life when it is known (a URL signed with
 * temporary credentials dies with them). At least 1 s, so an expired token
 * still yields a URL S3 refuses with ExpiredToken rather than no URL at all.
 */
export function shareLinkLifetime(profile: { linkExpirySeconds: number; sessionTokenExpiration?: string }, now: Date): number {
  const expires = profile.sessionTokenExpiration ? Date.parse(profile.sessionTokenExpiration) : Number.NaN;
  if (Number.isNaN(expires)) return profile.linkExpirySeconds;
  return Math.max(1, Math.min(profile.linkExpirySeconds, Math.floor((expires - now.getTime()) / 1000)));
}
