import { describe, expect, it } from 'vitest';
import { findFreeKey, MAX_NAME_TRIES, NoFreeKeyError } from '../../src/keys/free-key';
import { decodeKeyName } from '../../src/keys/safe-name';
import {
  hostToken,
  KEY_TOKENS,
  MAX_KEY_BYTES,
  NO_PAGE_HOST,
  renderKey,
  shortId,
  templateCanCollide,
  validateKeyTemplate,
  withSuffix,
} from '../../src/keys/template';
import { chooseDisposition, contentDisposition } from '../../src/s3/content-disposition';
import { createS3Client } from '../../src/s3/client';
import { describeFailure, failureFromResponse, MAPPED_CODES } from '../../src/s3/errors';
import {
  isPresetExpiry,
  joinExpiry,
  MAX_LINK_EXPIRY_SECONDS,
  shareLinkLifetime,
  splitExpiry,
  tokenCutsLink,
  validateLinkExpiry,
} from '../../src/s3/expiry';
import { presignShareLink, presignUpload } from '../../src/s3/presign';
import { customLinkUrl, encodeKeyPath, encodeKeySegment, publicObjectUrl, validateLinkBaseUrl } from '../../src/s3/public-url';
import { EMPTY_PROFILE, type KeysDraft } from '../../src/settings/profile';
import { linkModeOf, normalizeDraft, validateDraft } from '../../src/settings/profile-kinds';
import { parseImport } from '../../src/settings/transfer';
import { linkCutNote } from '../../src/ui/token-expiry';

const NOW = new Date('2024-03-05T07:08:09Z');
const UUID = '123e4567-e89b-42d3-a456-426614174000';
const utf8 = (s: string) => new TextEncoder().encode(s).length;

describe('key template tokens', () => {
  const input = { name: 'Holiday photo.final.JPG', now: new Date('2025-01-02T03:04:05Z'), uuid: UUID, shortid: 'aB3dE6gH', pageUrl: 'https://www.example.com:8443/gallery?x=1' };

  it.each([
    ['{yyyy}', '2025'],
    ['{mm}', '01'],
    ['{dd}', '02'],
    ['{hh}', '03'],
    ['{uuid}', UUID],
    ['{shortid}', 'aB3dE6gH'],
    ['{name}', 'Holiday photo.final.JPG'],
    ['{ext}', 'JPG'],
    ['{host}', 'www.example.com'],
  ])('%s renders as %j', (token, expected) => {
    // Every token but {name} needs a companion to be a valid template; render it beside {uuid}.
    expect(renderKey(`${token}/{uuid}`, input)).toBe(`${expected}/${UUID}`);
  });

  it('lists every token the renderer knows', () => {
    expect([...KEY_TOKENS].sort()).toEqual(['dd', 'ext', 'hh', 'host', 'mm', 'name', 'path', 'shortid', 'uuid', 'yyyy']);
    const all = KEY_TOKENS.map((t) => `{${t}}`).join('/');
    expect(validateKeyTemplate(all)).toBeNull();
    // A single file has no folders: {path} and the slash after it leave no empty folder.
    expect(renderKey(all, input)).toBe(`2025/01/02/03/${UUID}/aB3dE6gH/Holiday photo.final.JPG/JPG/www.example.com`);
    expect(renderKey(all, { ...input, path: 'trip/day1/' })).toBe(`2025/01/02/03/${UUID}/aB3dE6gH/trip/day1/Holiday photo.final.JPG/JPG/www.example.com`);
  });

  it('{shortid} is made when not given: 8 base-62 characters, new for every key', () => {
    const a = renderKey('{shortid}-{name}', { name: 'a.txt', now: NOW, uuid: UUID });
    const b = renderKey('{shortid}-{name}', { name: 'a.txt', now: NOW, uuid: UUID });
    expect(a).toMatch(/^[0-9A-Za-z]{8}-a\.txt$/);
    expect(a).not.toBe(b);
  });

  it('shortId draws from crypto.getRandomValues without bias: bytes from 248 up are drawn again', () => {
    const draws = [
      [255, 248, 0, 61, 62, 123, 247, 10, 250, 35, 36, 1, 2, 3, 4, 5],
    ];
    let calls = 0;
    const id = shortId((bytes) => {
      calls++;
      bytes.set(draws[0]!.slice(0, bytes.length));
      return bytes;
    });
    // 255 and 248 are skipped; 0→0, 61→z, 62→0, 123→z, 247→z (247 % 62 = 61), 10→A, 250 skipped, 35→Z, 36→a.
    expect(id).toBe('0z0zzAZa');
    expect(calls).toBe(1);
    const many = new Set(Array.from({ length: 200 }, () => shortId()));
    expect(many.size).toBe(200);
    for (const id of many) expect(id).toMatch(/^[0-9A-Za-z]{8}$/);
  });

  it.each([
    [undefined, NO_PAGE_HOST],
    ['https://Example.COM/a', 'example.com'],
    ['http://127.0.0.1:8080/x', '127.0.0.1'],
    ['https://bücher.example/', 'xn--bcher-kva.example'],
    ['http://[::1]:3000/', '[::1]'],
    ['file:///home/me/page.html', NO_PAGE_HOST],
    ['not a url', NO_PAGE_HOST],
  ])('{host} of %j is %j', (pageUrl, expected) => {
    expect(hostToken(pageUrl)).toBe(expected);
  });

  it('popup uploads (no page) put "local" in {host}', () => {
    expect(renderKey('{host}/{name}', { name: 'a.txt', now: NOW, uuid: UUID })).toBe('local/a.txt');
  });

  it('a folder that renders empty is left out, never "//" or a leading "/"', () => {
    expect(renderKey('{ext}/{name}', { name: 'README', now: NOW, uuid: UUID })).toBe('README');
    expect(renderKey('files/{ext}/{name}', { name: 'README', now: NOW, uuid: UUID })).toBe('files/README');
    expect(renderKey('files/{ext}/{name}', { name: 'a.pdf', now: NOW, uuid: UUID })).toBe('files/pdf/a.pdf');
  });

  it('a suffix goes before the extension, and survives a name shortened to fit', () => {
    expect(withSuffix('a.txt', '-1')).toBe('a-1.txt');
    expect(withSuffix('archive.tar.gz', '-2')).toBe('archive.tar-2.gz');
    expect(withSuffix('README', '-1')).toBe('README-1');
    expect(withSuffix('.bashrc', '-1')).toBe('.bashrc-1');
    expect(renderKey('in/{name}', { name: 'a.txt', now: NOW, uuid: UUID, suffix: '-12' })).toBe('in/a-12.txt');
    const long = `${'x'.repeat(2000)}.txt`;
    const key = renderKey('in/{name}', { name: long, now: NOW, uuid: UUID, suffix: '-7' });
    expect(utf8(key)).toBe(MAX_KEY_BYTES);
    expect(key.endsWith('x-7.txt')).toBe(true);
  });
});

describe('validateKeyTemplate with the new tokens', () => {
  it.each(['{shortid}', '{host}/{shortid}', '{host}/{yyyy}/{name}', 'shots/{host}/{shortid}.{ext}'])('accepts %s', (template) => {
    expect(validateKeyTemplate(template)).toBeNull();
  });

  it.each([
    ['{host}', /needs \{name\} or \{uuid\} \(or \{shortid\}\)/],
    ['{host}/{yyyy}.{ext}', /needs \{name\} or \{uuid\} \(or \{shortid\}\)/],
    ['{shortId}-{name}', /unknown token \{shortId\}/],
    ['/{host}/{name}', /must not start with "\/"/],
    ['{host}//{name}', /empty folder/],
  ])('refuses %j', (template, sentence) => {
    expect(validateKeyTemplate(template)).toMatch(sentence);
  });

  it('counts tokens as rendered: {host} may take 253 bytes, so the file name keeps room', () => {
    const prefix = 'p/'.repeat(330); // 660 bytes: 660 + 253 > 900
    expect(validateKeyTemplate(`${prefix}{name}`)).toBeNull();
    expect(validateKeyTemplate(`${prefix}{host}/{name}`)).toMatch(/once its tokens are filled in/);
    // What passes validation always renders within S3's limit, even with the longest host.
    const template = `${prefix}{uuid}/{name}`;
    expect(validateKeyTemplate(template)).toBeNull();
    const key = renderKey(template, { name: 'n'.repeat(600), now: NOW, uuid: UUID, pageUrl: `https://${'h'.repeat(63)}.example/` });
    expect(utf8(key)).toBeLessThanOrEqual(MAX_KEY_BYTES);
  });

  it('templateCanCollide: only {uuid} and {shortid} make every key new', () => {
    expect(templateCanCollide('{name}')).toBe(true);
    expect(templateCanCollide('{host}/{yyyy}/{mm}/{name}')).toBe(true);
    expect(templateCanCollide('{uuid}-{name}')).toBe(false);
    expect(templateCanCollide('{shortid}/{name}')).toBe(false);
  });
});

describe('findFreeKey: never overwrite silently (with a fake HEAD)', () => {
  const render = (suffix: string) => renderKey('docs/{name}', { name: 'a.txt', now: NOW, uuid: UUID, suffix });
  const bucket = (keys: string[]) => {
    const asked: string[] = [];
    return { asked, exists: async (key: string) => (asked.push(key), keys.includes(key)) };
  };

  it('takes the name itself when it is free, with one HEAD', async () => {
    const b = bucket(['docs/other.txt']);
    expect(await findFreeKey(render, b.exists)).toBe('docs/a.txt');
    expect(b.asked).toEqual(['docs/a.txt']);
  });

  it('suffixes -1, -2… before the extension until a name is free', async () => {
    const b = bucket(['docs/a.txt', 'docs/a-1.txt', 'docs/a-3.txt']);
    expect(await findFreeKey(render, b.exists)).toBe('docs/a-2.txt');
    expect(b.asked).toEqual(['docs/a.txt', 'docs/a-1.txt', 'docs/a-2.txt']);
  });

  it(`gives up after ${MAX_NAME_TRIES} taken names with the first and the last`, async () => {
    const taken = new Set(['docs/a.txt', ...Array.from({ length: 60 }, (_, i) => `docs/a-${i + 1}.txt`)]);
    let heads = 0;
    const err = await findFreeKey(render, async (key) => (heads++, taken.has(key))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoFreeKeyError);
    expect(err).toMatchObject({ first: 'docs/a.txt', last: 'docs/a-49.txt', tries: MAX_NAME_TRIES });
    expect(heads).toBe(MAX_NAME_TRIES);
  });

  it('a failing HEAD fails the search (it is not taken for "free")', async () => {
    await expect(findFreeKey(render, async () => Promise.reject(new Error('ECONNREFUSED')))).rejects.toThrow('ECONNREFUSED');
  });
});

describe('public and custom-domain links: key encoding', () => {
  it.each([
    ['with space.txt', 'with%20space.txt'],
    ['résumé 日本.txt', 'r%C3%A9sum%C3%A9%20%E6%97%A5%E6%9C%AC.txt'],
    ['a+b.txt', 'a%2Bb.txt'],
    ['100%.txt', '100%25.txt'],
    ['hash#tag.txt', 'hash%23tag.txt'],
    ['what?.txt', 'what%3F.txt'],
    ["quote's (1)!*.txt", 'quote%27s%20%281%29%21%2A.txt'],
    ['a=b&c;d,e:f@g$h.txt', 'a%3Db%26c%3Bd%2Ce%3Af%40g%24h.txt'],
    ['safe-_.~name', 'safe-_.~name'],
  ])('segment %j → %j', (segment, expected) => {
    expect(encodeKeySegment(segment)).toBe(expected);
    expect(decodeURIComponent(expected)).toBe(segment);
  });

  it('keeps "/" between segments and encodes a key-escaped %2F as data', () => {
    expect(encodeKeyPath('2024/03/05/a b/c#d.txt')).toBe('2024/03/05/a%20b/c%23d.txt');
    // S3 Drop escapes a "/" in a file name as %2F in the key; the URL must carry that literally.
    expect(encodeKeyPath('in/a%2Fb.txt')).toBe('in/a%252Fb.txt');
  });

  it('the URL path, decoded per segment, gives back the exact key (unicode, +, %, #, ?)', () => {
    const key = 'dir/sub/résumé + 100% #1?.txt';
    for (const url of [publicObjectUrl({ bucket: 'b', region: 'eu-west-1', endpoint: '', forcePathStyle: false }, key), customLinkUrl('https://cdn.example.com/{key}', key)]) {
      const parsed = new URL(url);
      expect(parsed.search).toBe('');
      expect(parsed.hash).toBe('');
      expect(parsed.pathname.slice(1).split('/').map(decodeURIComponent).join('/')).toBe(key);
    }
  });

  it('public URLs use the same addressing as signing: virtual-hosted, path-style, dotted buckets, custom endpoints', () => {
    const key = 'a b/c.txt';
    expect(publicObjectUrl({ bucket: 'my-bucket', region: 'eu-west-1', endpoint: '', forcePathStyle: false }, key)).toBe('https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b/c.txt');
    expect(publicObjectUrl({ bucket: 'my-bucket', region: '', endpoint: '', forcePathStyle: false }, key)).toBe('https://my-bucket.s3.us-east-1.amazonaws.com/a%20b/c.txt');
    expect(publicObjectUrl({ bucket: 'my-bucket', region: 'eu-west-1', endpoint: '', forcePathStyle: true }, key)).toBe('https://s3.eu-west-1.amazonaws.com/my-bucket/a%20b/c.txt');
    expect(publicObjectUrl({ bucket: 'files.example.com', region: 'eu-west-1', endpoint: '', forcePathStyle: false }, key)).toBe(
      'https://s3.eu-west-1.amazonaws.com/files.example.com/a%20b/c.txt',
    );
    expect(publicObjectUrl({ bucket: 'media', region: 'garage', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true }, key)).toBe('http://127.0.0.1:9000/media/a%20b/c.txt');
    expect(publicObjectUrl({ bucket: 'media', region: 'auto', endpoint: 'https://minio.example.com', forcePathStyle: false }, key)).toBe('https://media.minio.example.com/a%20b/c.txt');
  });

  it('custom domains: {key} replaced in place, else "/key" appended', () => {
    const key = '2024/03/05/My photo+1.jpg';
    expect(customLinkUrl('https://cdn.example.com/{key}', key)).toBe('https://cdn.example.com/2024/03/05/My%20photo%2B1.jpg');
    expect(customLinkUrl('https://cdn.example.com/files/{key}', key)).toBe('https://cdn.example.com/files/2024/03/05/My%20photo%2B1.jpg');
    expect(customLinkUrl('https://cdn.example.com/v/{key}/raw', 'a.txt')).toBe('https://cdn.example.com/v/a.txt/raw');
    expect(customLinkUrl('https://cdn.example.com', key)).toBe('https://cdn.example.com/2024/03/05/My%20photo%2B1.jpg');
    expect(customLinkUrl('https://cdn.example.com/files/', 'a b.txt')).toBe('https://cdn.example.com/files/a%20b.txt');
  });

  it.each([
    ['https://cdn.example.com/{key}', null],
    ['https://cdn.example.com', null],
    ['https://cdn.example.com/files/', null],
    ['http://127.0.0.1:8080/{key}', null],
    ['', /Enter the address/],
    ['cdn.example.com/{key}', /full URL/],
    ['http://cdn.example.com/{key}', /https:\/\//],
    ['ftp://cdn.example.com/{key}', /https:\/\//],
    ['https://cdn.example.com/{key}?download=1', /query/],
    ['https://cdn.example.com/#{key}', /query \(\?\) or a fragment/],
    ['https://cdn.example.com/{key}/{key}', /at most once/],
    ['https://cdn.example.com/{name}', /knows only \{key\}/],
    ['https://{key}.example.com/', /in the path/],
    ['https://user:pw@cdn.example.com/{key}', /user name or password/],
  ])('validateLinkBaseUrl(%j)', (value, expected) => {
    if (expected === null) expect(validateLinkBaseUrl(value)).toBeNull();
    else expect(validateLinkBaseUrl(value)).toMatch(expected);
  });
});

describe('link settings on a profile', () => {
  const draft = (over: Partial<KeysDraft>): KeysDraft => ({ ...EMPTY_PROFILE, accessKeyId: 'AKIA', secretAccessKey: 's', bucket: 'bucket', region: 'eu-west-1', ...over });

  it('defaults: presigned links, automatic disposition — absent fields need no migration', () => {
    expect(linkModeOf(EMPTY_PROFILE)).toBe('presigned');
    expect(EMPTY_PROFILE).not.toHaveProperty('linkMode');
    expect(EMPTY_PROFILE).not.toHaveProperty('linkDisposition');
    expect(validateDraft(draft({}), { hasSavedSecret: false })).toEqual({});
  });

  it('validates the mode, the base URL (custom only) and the disposition', () => {
    expect(validateDraft(draft({ linkMode: 'custom', linkBaseUrl: '' }), { hasSavedSecret: false })).toEqual({ linkBaseUrl: expect.stringMatching(/Enter the address/) });
    expect(validateDraft(draft({ linkMode: 'custom', linkBaseUrl: 'https://cdn.example.com/{key}' }), { hasSavedSecret: false })).toEqual({});
    // A base URL kept from before does not block a profile that no longer uses it.
    expect(validateDraft(draft({ linkMode: 'public', linkBaseUrl: 'nonsense' }), { hasSavedSecret: false })).toEqual({});
    expect(validateDraft(draft({ linkMode: 'signed' as never }), { hasSavedSecret: false })).toHaveProperty('linkMode');
    expect(validateDraft(draft({ linkDisposition: 'download' as never }), { hasSavedSecret: false })).toHaveProperty('linkDisposition');
    expect((normalizeDraft(draft({ linkBaseUrl: ' https://cdn.example.com/{key} ' })).draft as KeysDraft).linkBaseUrl).toBe('https://cdn.example.com/{key}');
  });

  it('a presign-service profile is always presigned: link fields are dropped', () => {
    const team = normalizeDraft({
      ...draft({ linkMode: 'public', linkDisposition: 'inline', linkBaseUrl: 'x' }),
      kind: 'presign-service',
      serviceUrl: 'https://files.example.com',
      serviceAuth: 'none',
      serviceAuthHeader: '',
    } as never).draft;
    expect(team).not.toHaveProperty('linkMode');
    expect(team).not.toHaveProperty('linkBaseUrl');
    expect(team).not.toHaveProperty('linkDisposition');
    expect(linkModeOf({ kind: 'presign-service', linkMode: 'public' } as never)).toBe('presigned');
  });

  it('export files carry the new fields through import, with type checks', () => {
    const file = (profile: Record<string, unknown>) =>
      JSON.stringify({ format: 's3-drop-profiles', version: 1, exportedAt: NOW.toISOString(), profiles: [{ ...draft({}), secretAccessKey: undefined, id: undefined, name: 'x', ...profile }] });
    const parsed = parseImport(file({ linkMode: 'custom', linkBaseUrl: 'https://cdn.example.com/{key}', linkDisposition: 'attachment' }), []);
    expect(parsed.problems).toEqual([]);
    expect(parsed.profiles[0]).toMatchObject({ linkMode: 'custom', linkBaseUrl: 'https://cdn.example.com/{key}', linkDisposition: 'attachment' });
    expect(parseImport(file({ linkMode: 7 }), []).problems[0]).toMatch(/Share links must be a string/);
    expect(parseImport(file({ linkMode: 'custom', linkBaseUrl: 'http://cdn.example.com/' }), []).problems[0]).toMatch(/Link address — The link address must start with https/);
  });
});

describe('link expiry', () => {
  const profile = { linkExpirySeconds: 86400 };

  it('a per-upload choice replaces the profile’s expiry; absent, the profile’s holds', () => {
    expect(shareLinkLifetime(profile, NOW)).toBe(86400);
    expect(shareLinkLifetime(profile, NOW, 900)).toBe(900);
    expect(shareLinkLifetime(profile, NOW, MAX_LINK_EXPIRY_SECONDS)).toBe(604800);
  });

  it('a session token with a known end cuts any choice to it (at least 1 s)', () => {
    const temporary = { linkExpirySeconds: 3600, sessionTokenExpiration: '2024-03-05T07:38:09Z' }; // 30 min left
    expect(shareLinkLifetime(temporary, NOW)).toBe(1800);
    expect(shareLinkLifetime(temporary, NOW, 900)).toBe(900);
    expect(shareLinkLifetime(temporary, NOW, 604800)).toBe(1800);
    expect(shareLinkLifetime({ ...temporary, sessionTokenExpiration: '2024-03-05T07:00:00Z' }, NOW, 900)).toBe(1);
    expect(tokenCutsLink(temporary, 3600, NOW.getTime())).toBe(Date.parse('2024-03-05T07:38:09Z'));
    expect(tokenCutsLink(temporary, 900, NOW.getTime())).toBeNull();
    expect(tokenCutsLink({}, 604800, NOW.getTime())).toBeNull();
  });

  it('the popup says when the token is the real end of a link', () => {
    // A reader in Berlin (UTC+1 in March) with British English: the same text on any machine.
    const berlin = { locale: 'en-GB', timeZone: 'Europe/Berlin' };
    const temporary = { sessionTokenExpiration: '2024-03-05T07:38:09Z' };
    expect(linkCutNote(temporary, 3600, NOW.getTime(), berlin)).toBe('Links end at 08:38, when the session token does.');
    expect(linkCutNote(temporary, 900, NOW.getTime(), berlin)).toBeNull();
    expect(linkCutNote({}, 604800, NOW.getTime(), berlin)).toBeNull();
    // Another day: the date is named too.
    expect(linkCutNote({ sessionTokenExpiration: '2024-03-07T07:08:09Z' }, 604800, NOW.getTime(), berlin)).toBe('Links end at 7 Mar, 08:08, when the session token does.');
    // "Another day" is the reader's day: 23:30 UTC is already tomorrow in Berlin, still today in New York.
    const lateUtc = { sessionTokenExpiration: '2024-03-05T23:30:00Z' };
    expect(linkCutNote(lateUtc, 604800, NOW.getTime(), berlin)).toBe('Links end at 6 Mar, 00:30, when the session token does.');
    expect(linkCutNote(lateUtc, 604800, NOW.getTime(), { locale: 'en-US', timeZone: 'America/New_York' })).toBe('Links end at 06:30 PM, when the session token does.');
  });

  it('custom values: typed in minutes, hours or days, validated up to 604 800 s', () => {
    expect(joinExpiry(90, 'minutes')).toBe(5400);
    expect(joinExpiry(36, 'hours')).toBe(129600);
    expect(joinExpiry(7, 'days')).toBe(MAX_LINK_EXPIRY_SECONDS);
    expect(validateLinkExpiry(joinExpiry(7, 'days'))).toBeNull();
    expect(validateLinkExpiry(joinExpiry(169, 'hours'))).toMatch(/at most 7 days/);
    expect(validateLinkExpiry(joinExpiry(1.5, 'minutes'))).toBeNull(); // 90 s
    expect(validateLinkExpiry(joinExpiry(0.001, 'minutes'))).toMatch(/whole number/);
    expect(validateLinkExpiry(joinExpiry(Number(''), 'hours'))).toMatch(/at least 1/);
    expect(splitExpiry(5400)).toEqual({ amount: 90, unit: 'minutes' });
    expect(splitExpiry(172800)).toEqual({ amount: 2, unit: 'days' });
    expect(splitExpiry(7200)).toEqual({ amount: 2, unit: 'hours' });
    expect(splitExpiry(90)).toEqual({ amount: 2, unit: 'minutes' });
    expect(isPresetExpiry(900)).toBe(true);
    expect(isPresetExpiry(5400)).toBe(false);
  });
});

describe('disposition choice', () => {
  it.each([
    ['auto', 'image/png', 'inline'],
    ['auto', 'application/pdf', 'inline'],
    ['auto', 'text/plain; charset=utf-8', 'inline'],
    ['auto', 'video/mp4', 'inline'],
    ['auto', 'application/zip', 'attachment'],
    ['auto', 'image/svg+xml', 'attachment'],
    [undefined, 'image/jpeg', 'inline'],
    ['inline', 'application/zip', 'inline'],
    ['inline', 'application/octet-stream', 'inline'],
    ['inline', 'image/svg+xml', 'attachment'],
    ['inline', 'text/html', 'attachment'],
    ['inline', 'TEXT/HTML; charset=utf-8', 'attachment'],
    ['inline', 'application/xhtml+xml', 'attachment'],
    ['inline', 'text/xml', 'attachment'],
    ['inline', 'application/javascript', 'attachment'],
    ['attachment', 'image/png', 'attachment'],
    ['attachment', 'application/pdf', 'attachment'],
  ] as const)('%s for %s → %s', (choice, type, expected) => {
    expect(chooseDisposition(choice, type)).toBe(expected);
  });

  const client = createS3Client({ bucket: 'b', region: 'eu-west-1', endpoint: '', forcePathStyle: false, credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' } });
  it.each([
    [undefined, 'image/png', 'inline'],
    ['attachment', 'image/png', 'attachment'],
    ['inline', 'application/zip', 'inline'],
    ['inline', 'image/svg+xml', 'attachment'],
  ] as const)('presignShareLink(%s, %s) signs %s with the RFC 5987 name', async (disposition, contentType, expected) => {
    const link = await presignShareLink(client, {
      bucket: 'b',
      key: 'k',
      fileName: 'Ünïcødé 日本 (1).bin',
      contentType,
      expiresIn: 60,
      now: NOW,
      ...(disposition ? { disposition } : {}),
    });
    const value = new URL(link.url).searchParams.get('response-content-disposition');
    expect(value).toBe(contentDisposition('Ünïcødé 日本 (1).bin', expected));
    expect(value).toMatch(new RegExp(`^${expected}; filename="[\\x20-\\x7e]+"; filename\\*=UTF-8''`));
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(value!)![1]!)).toBe('Ünïcødé 日本 (1).bin');
  });
});

describe('If-None-Match in upload URLs', () => {
  const client = createS3Client({ bucket: 'b', region: 'eu-west-1', endpoint: '', forcePathStyle: false, credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' } });

  it('is signed and handed to the sender when asked for', async () => {
    const signed = await presignUpload(client, { bucket: 'b', key: 'a.txt', contentType: 'text/plain', contentLength: 3, ifNoneMatch: true, now: NOW });
    expect(new URL(signed.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host;if-none-match');
    expect(signed.headers).toEqual({ 'content-type': 'text/plain', 'if-none-match': '*' });
  });

  it('is absent otherwise', async () => {
    const signed = await presignUpload(client, { bucket: 'b', key: 'a.txt', contentType: 'text/plain', contentLength: 3, now: NOW });
    expect(new URL(signed.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(signed.headers).toEqual({ 'content-type': 'text/plain' });
  });

  it('a 412 PreconditionFailed reads as "someone took the name just now; nothing was overwritten"', () => {
    const ctx = { operation: 'upload' as const, bucket: 'b', region: 'eu-west-1', endpoint: '' };
    const xml = '<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>';
    for (const failure of [failureFromResponse(412, xml), failureFromResponse(412, '')]) {
      const error = describeFailure(failure, ctx);
      expect(error).toEqual({
        code: 'PreconditionFailed',
        message: 'Another upload took this file\'s name in bucket "b" just now; nothing was overwritten. Upload again to get the next free name.',
        transient: false,
      });
    }
    expect(MAPPED_CODES).toContain('PreconditionFailed');
  });
});

describe('renderKey keeps names readable for decodeKeyName after a suffix', () => {
  it('decodes back to the suffixed name', () => {
    const key = renderKey('{name}', { name: 'a/b #1.txt', now: NOW, uuid: UUID, suffix: '-3' });
    expect(decodeKeyName(key)).toBe('a/b #1-3.txt');
  });
});

describe('If-None-Match on CompleteMultipartUpload', () => {
  it('is sent when asked for, and only then', async () => {
    const { completeMultipartUpload } = await import('../../src/s3/multipart');
    const sent: Record<string, string>[] = [];
    const client = createS3Client({ bucket: 'b', region: 'eu-west-1', endpoint: '', forcePathStyle: false, credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' } });
    client.middlewareStack.add(
      () => async (args) => {
        sent.push({ ...(args.request as { headers: Record<string, string> }).headers });
        throw new Error('captured');
      },
      { step: 'finalizeRequest', priority: 'low' },
    );
    const request = { bucket: 'b', key: 'docs/a.txt', uploadId: 'u', parts: [{ PartNumber: 1, ETag: '"e"' }] };
    await expect(completeMultipartUpload(client, { ...request, ifNoneMatch: true })).rejects.toThrow('captured');
    await expect(completeMultipartUpload(client, request)).rejects.toThrow('captured');
    expect(sent[0]!['if-none-match']).toBe('*');
    expect(sent[1]).not.toHaveProperty('if-none-match');
  });
});
