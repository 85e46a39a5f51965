import { formatEta } from '../upload/speed';

/**
 * What the user should know about a session token's end, if they told us
 * when it is: links made from temporary credentials die with them.
 */
export function tokenExpiryNote(profile: { sessionTokenExpiration?: string; linkExpirySeconds: number }, now: number): { text: string; expired: boolean } | null {
  if (!profile.sessionTokenExpiration) return null;
  const expires = Date.parse(profile.sessionTokenExpiration);
  if (Number.isNaN(expires)) return null;
  const at = new Date(expires).toLocaleString();
  if (expires <= now)
    return { text: `The session token expired at ${at}. Paste fresh temporary credentials in Options to upload again.`, expired: true };
  const left = (expires - now) / 1000;
  const capped = left < profile.linkExpirySeconds ? ' Share links end then too, sooner than the profile’s link expiry.' : '';
  return { text: `The session token expires at ${at} (${formatEta(left)}).${capped}`, expired: false };
}
