import { describe, expect, it } from 'vitest';
import { tokenExpiryNote as note, type DateFormat } from '../../src/ui/token-expiry';

const NOW = Date.parse('2024-03-05T07:08:09Z');
const DAY = 24 * 3600;
/** A reader in Berlin (UTC+1 in March) with British English: the same text on any machine. */
const BERLIN: DateFormat = { locale: 'en-GB', timeZone: 'Europe/Berlin' };
const tokenExpiryNote = (profile: Parameters<typeof note>[0], now: number) => note(profile, now, BERLIN);
const LINKS_END = 'Share links end then too, sooner than the profile’s link expiry.';

describe('tokenExpiryNote', () => {
  it('is null when the expiry is not known', () => {
    expect(tokenExpiryNote({ linkExpirySeconds: DAY }, NOW)).toBeNull();
    expect(tokenExpiryNote({ sessionTokenExpiration: '', linkExpirySeconds: DAY }, NOW)).toBeNull();
  });

  it('is null for a time it cannot read', () => {
    expect(tokenExpiryNote({ sessionTokenExpiration: 'next tuesday', linkExpirySeconds: DAY }, NOW)).toBeNull();
  });

  it('says an expired token expired, and when', () => {
    const at = '2024-03-05T07:00:00Z';
    expect(tokenExpiryNote({ sessionTokenExpiration: at, linkExpirySeconds: DAY }, NOW)).toEqual({
      text: `The session token expired at 05/03/2024, 08:00:00. Paste fresh temporary credentials in Options to upload again.`,
      expired: true,
    });
  });

  it('a token ending exactly now has expired', () => {
    const note = tokenExpiryNote({ sessionTokenExpiration: '2024-03-05T07:08:09Z', linkExpirySeconds: DAY }, NOW);
    expect(note?.expired).toBe(true);
    expect(note?.text).toContain('expired at');
  });

  it('a token ending before the link expiry says share links end then too', () => {
    const at = '2024-03-05T07:18:09Z';
    expect(tokenExpiryNote({ sessionTokenExpiration: at, linkExpirySeconds: DAY }, NOW)).toEqual({
      text: `The session token expires at 05/03/2024, 08:18:09 (about 10 min left). ${LINKS_END}`,
      expired: false,
    });
  });

  it('a token outliving the link expiry does not mention links', () => {
    const at = '2024-03-06T09:08:09Z';
    const note = tokenExpiryNote({ sessionTokenExpiration: at, linkExpirySeconds: 3600 }, NOW);
    expect(note).toEqual({ text: `The session token expires at 06/03/2024, 10:08:09 (about 26 h 0 min left).`, expired: false });
    expect(note!.text).not.toContain('Share links');
  });

  it('a token ending exactly when a link would is not "sooner"', () => {
    const note = tokenExpiryNote({ sessionTokenExpiration: '2024-03-05T08:08:09Z', linkExpirySeconds: 3600 }, NOW);
    expect(note?.expired).toBe(false);
    expect(note?.text).not.toContain('Share links');
  });

  it('writes the time in the reader\'s language and time zone', () => {
    const at = '2024-03-05T07:18:09Z';
    expect(note({ sessionTokenExpiration: at, linkExpirySeconds: 60 }, NOW, { locale: 'en-US', timeZone: 'America/New_York' })?.text).toBe(
      'The session token expires at 3/5/2024, 2:18:09 AM (about 10 min left).',
    );
    expect(note({ sessionTokenExpiration: at, linkExpirySeconds: 60 }, NOW, { locale: 'de-DE', timeZone: 'Asia/Tokyo' })?.text).toBe(
      'The session token expires at 5.3.2024, 16:18:09 (about 10 min left).',
    );
  });

  it('reads offsets other than Z', () => {
    const note = tokenExpiryNote({ sessionTokenExpiration: '2024-03-05T09:13:09+02:00', linkExpirySeconds: DAY }, NOW);
    expect(note?.text).toContain('(about 5 min left)');
    expect(note?.text).toContain(LINKS_END);
  });
});
