import { tokenCutsLink, tokenExpiresAt } from '../s3/expiry';
import { formatEta } from '../upload/speed';
import { t } from '../i18n/t';

/**
 * The language and clock times are written in. Unset, the reader's own; a
 * caller that needs the same text everywhere (a test) names both.
 */
export interface DateFormat {
  locale?: string;
  timeZone?: string;
}

/**
 * What the user should know about a session token's end, if they told us
 * when it is: links made from temporary credentials die with them.
 */
export function tokenExpiryNote(
  profile: { sessionTokenExpiration?: string; linkExpirySeconds: number },
  now: number,
  format: DateFormat = {},
): { text: string; expired: boolean } | null {
  const expires = tokenExpiresAt(profile);
  if (expires === null) return null;
  const at = new Date(expires).toLocaleString(format.locale, { timeZone: format.timeZone });
  if (expires <= now)
    return { text: t('token_expired', { at }), expired: true };
  const left = (expires - now) / 1000;
  const expiresAt = t('token_expiresAt', { at, left: formatEta(left) });
  return { text: left < profile.linkExpirySeconds ? `${expiresAt} ${t('token_cutsLinks')}` : expiresAt, expired: false };
}

/** "14:05", or "25 Nov, 14:05" when it is not today (in the time zone the reader sees). */
function clockTime(at: number, now: number, { locale, timeZone }: DateFormat): string {
  const day = (ms: number) => new Date(ms).toLocaleDateString('en-CA', { timeZone });
  const date = new Date(at);
  return day(at) === day(now)
    ? date.toLocaleTimeString(locale, { timeZone, hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString(locale, { timeZone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/**
 * The note beside a per-upload expiry choice when the session token ends
 * first, so the link really ends then: "Links end at 14:05, when the session
 * token does." `null` when the link gets the time chosen.
 */
export function linkCutNote(
  profile: { sessionTokenExpiration?: string },
  expiresIn: number,
  now: number,
  format: DateFormat = {},
): string | null {
  const cut = tokenCutsLink(profile, expiresIn, now);
  if (cut === null || cut <= now) return null;
  return t('token_linksEndAt', { time: clockTime(cut, now, format) });
}
