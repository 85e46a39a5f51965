/**
 * A profile's destination: own keys (the background signs) or a team's
 * presign service (the service signs), chosen once by `openDestination`.
 * The signing and link tests that went through the service's old
 * signUpload/shareLink messages live here, against the same in-memory
 * settings (real keeper, real vault) and no network.
 */
import { describe, expect, it, vi } from 'vitest';
import { createService } from '../../src/background/service';
import { LOCKED, NOT_CONFIGURED, PROFILE_GONE } from '../../src/destination/connection';
import { abilitiesOf, type Destination, type LinkRequest, type PutTarget } from '../../src/destination/destination';
import { conditionalWrites } from '../../src/destination/own-keys';
import type { Result } from '../../src/result';
import type { SignedRequest } from '../../src/s3/presign';
import type { FetchLike } from '../../src/s3/region';
import {
  EMPTY_PROFILE,
  EMPTY_SERVICE_PROFILE,
  type KeysProfile,
  type PresignServiceDraft,
  type PresignServiceProfile,
} from '../../src/settings/profile';
import { capabilitiesOf, normalizeDraft, splitDraft } from '../../src/settings/profile-kinds';
import {
  AWS_PROFILE,
  destinationOpener,
  fakeServiceDeps,
  fakeSettings,
  MEDIA_PROFILE,
  seedProfile,
  type FakeServiceDeps,
  type FakeSettings,
} from '../support/fake-settings';
import { fakeTeamService, s3Url, TEAM_S3 as S3, TEAM_SERVICE as SERVICE, type FakeTeamOptions } from '../support/fake-team-service';
import { signatureValid } from '../support/sigv4';
import { ok, failure } from '../support/results';

const NOW = new Date('2024-03-05T07:08:09Z');
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SECRET2 = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
const TOKEN = 'SESSIONTOKEN/abc+def=';
const PASS = 'correct horse battery staple';
const EXPIRED_SENTENCE = 'The session token has expired. Paste fresh temporary credentials (key, secret and token) in Options.';

/** An AWS profile with a template that cannot collide. */
const aws = AWS_PROFILE;

/** "work" (AWS, the default of `twoProfiles`) and "media" (an S3-compatible endpoint, with a session token and a 1-hour link). */
const work: KeysProfile = { ...aws, id: 'p1', name: 'work' };
const media = MEDIA_PROFILE;

interface Setup extends FakeServiceDeps {
  f: FakeSettings;
  service: ReturnType<typeof createService>;
  open: ReturnType<typeof destinationOpener>;
}

/** The service (to save, lock and unlock) and the destinations over the same settings; no network unless `fetch` is given. */
function setup(options: { granted?: string[] | 'all'; fetch?: FetchLike } = {}): Setup {
  const f = fakeSettings();
  const fake = fakeServiceDeps(f, { ...options, now: () => NOW });
  return { f, ...fake, service: createService(fake.deps), open: destinationOpener(fake.deps) };
}

async function twoProfiles(): Promise<Setup> {
  const s = setup();
  await seedProfile(s.f, work, { secretAccessKey: SECRET });
  await seedProfile(s.f, media, { secretAccessKey: SECRET2, sessionToken: TOKEN });
  return s;
}

/** Opens the profile's destination and signs a PUT; a profile that cannot be opened answers as the open did. */
async function signPut(s: Pick<Setup, 'open'>, target: PutTarget, profileId?: string): Promise<Result<SignedRequest>> {
  const opened = await s.open(profileId);
  return opened.ok ? opened.value.signPut(target) : opened;
}

async function shareLink(s: Pick<Setup, 'open'>, request: LinkRequest, profileId?: string) {
  const opened = await s.open(profileId);
  return opened.ok ? opened.value.shareLink(request) : opened;
}

const upload = { key: 'media/k-cat.png', contentType: 'image/png', size: 1234 };
const catLink = { key: 'media/k-cat.png', fileName: 'cat.png', contentType: 'image/png' };
const putHeaders = { 'content-length': '1234', 'content-type': 'image/png' };

describe('openDestination', () => {
  it('is NotConfigured before a profile is saved', async () => {
    expect(failure(await setup().open())).toEqual(NOT_CONFIGURED);
    expect(NOT_CONFIGURED).toMatchObject({ code: 'NotConfigured', fix: { kind: 'open-options' } });
  });

  it('an unknown profileId answers NoSuchProfile with its sentence, without the network', async () => {
    const { open, fetch } = await twoProfiles();
    expect(PROFILE_GONE).toEqual({
      code: 'NoSuchProfile',
      message: 'The profile this upload was for has been deleted. Choose another profile and upload again.',
      transient: false,
    });
    expect(failure(await open('gone'))).toEqual(PROFILE_GONE);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('reads the profile once, and the secrets at most once, however many steps sign', async () => {
    const s = await twoProfiles();
    const loadProfiles = vi.fn(s.f.deps.loadProfiles);
    const get = vi.fn((id: string) => s.f.keeper.get(id));
    const open = destinationOpener({ ...s.deps, loadProfiles, secrets: { get } });
    const destination = ok(await open('p2'));
    expect(loadProfiles).toHaveBeenCalledTimes(1);
    // Opening reads no secret: a step that needs none (a public link, a key plan) never asks.
    expect(get).not.toHaveBeenCalled();
    ok(await destination.signPut(upload));
    ok(await destination.signPut({ ...upload, key: 'media/other.png' }));
    ok(await destination.shareLink(catLink));
    ok(await destination.multipart!.signParts({ key: 'media/big.bin', uploadId: 'u-1', parts: [{ partNumber: 1, size: 5 * 1024 ** 2 }] }));
    expect(get).toHaveBeenCalledTimes(1);
    expect(get).toHaveBeenCalledWith('p2');
    expect(loadProfiles).toHaveBeenCalledTimes(1);
    // Another destination reads again: a worker keeps nothing between two messages.
    ok(await (ok(await open('p2'))).signPut(upload));
    expect(get).toHaveBeenCalledTimes(2);
  });

  it('a presign service reads its token once; an open service never reads a secret', async () => {
    const t = fakeTeamService();
    await seedProfile(t.settings, teamProfile(), { serviceToken: TOKEN });
    await seedProfile(t.settings, teamProfile({ serviceAuth: 'none' }, 'open-team'), {});
    const get = vi.fn((id: string) => t.settings.keeper.get(id));
    const open = destinationOpener({ ...t.deps, secrets: { get } });
    const team = ok(await open('team'));
    ok(await team.signPut({ key: 'drop/k', contentType: 'text/plain', size: 1 }));
    ok(await team.shareLink({ key: 'drop/k', fileName: 'k', contentType: 'text/plain' }));
    expect(get).toHaveBeenCalledTimes(1);
    get.mockClear();
    const openTeam = ok(await open('open-team'));
    ok(await openTeam.signPut({ key: 'drop/k', contentType: 'text/plain', size: 1 }));
    ok(await openTeam.shareLink({ key: 'drop/k', fileName: 'k', contentType: 'text/plain' }));
    expect(get).not.toHaveBeenCalled();
  });
});

describe('abilities', () => {
  const names = (d: Destination) => ({ multipart: typeof d.multipart, delete: typeof d.deleteObject, keyExists: typeof d.keyExists });

  it('own keys can do everything: parts, delete, a free-name check', async () => {
    const { open } = await twoProfiles();
    const destination = ok(await open('p1'));
    expect(abilitiesOf(destination)).toEqual({ multipart: true, delete: true, freeNameCheck: true });
    expect(names(destination)).toEqual({ multipart: 'object', delete: 'function', keyExists: 'function' });
    expect(destination.transferContext).toEqual({ bucket: 'work-bucket', region: 'eu-west-1', endpoint: '', signer: 'extension' });
  });

  it('a presign service signs single PUTs and GETs only', async () => {
    const t = fakeTeamService();
    await seedProfile(t.settings, teamProfile({ bucket: 'team-bucket' }), { serviceToken: TOKEN });
    const destination = ok(await t.open());
    expect(abilitiesOf(destination)).toEqual({ multipart: false, delete: false, freeNameCheck: false });
    expect(names(destination)).toEqual({ multipart: 'undefined', delete: 'undefined', keyExists: 'undefined' });
    expect(destination.conditionalWrites).toBe(false);
    expect(destination.transferContext).toEqual({ bucket: 'team-bucket', region: 'eu-west-1', endpoint: S3, signer: 'service' });
  });

  it('what a profile says it can do (for views that only hold the profile) is what its destination can do', async () => {
    const t = fakeTeamService();
    const team = teamProfile();
    await seedProfile(t.settings, work, { secretAccessKey: SECRET });
    await seedProfile(t.settings, team, { serviceToken: TOKEN });
    for (const profile of [work, team]) {
      const { multipart, delete: canDelete } = abilitiesOf(ok(await t.open(profile.id)));
      expect({ multipart, delete: canDelete }, profile.kind).toEqual(capabilitiesOf(profile));
    }
  });

  it('multipartThreshold: the profile’s MiB, else 64 MiB', async () => {
    const s = setup();
    await seedProfile(s.f, work, { secretAccessKey: SECRET });
    await seedProfile(s.f, { ...media, multipartThresholdMiB: 16 }, { secretAccessKey: SECRET2 });
    expect(ok(await s.open('p1')).multipartThreshold).toBe(64 * 1024 ** 2);
    expect(ok(await s.open('p2')).multipartThreshold).toBe(16 * 1024 ** 2);
  });
});

describe('own keys: signPut and shareLink', () => {
  const put = { key: '2024/03/05/x-my file+1.txt', contentType: 'text/plain', size: 42 };
  const link = { key: '2024/03/05/x-my file+1.txt', fileName: 'my file+1.txt', contentType: 'text/plain' };
  const mine: KeysProfile = { ...EMPTY_PROFILE, id: 'p1', name: 'my-bucket', accessKeyId: 'AKIAEXAMPLE', bucket: 'my-bucket', region: 'eu-west-1' };

  it('are NotConfigured when the secret is gone', async () => {
    const s = setup();
    await seedProfile(s.f, mine, { secretAccessKey: SECRET });
    await s.f.keeper.update(() => ({}));
    expect(failure(await signPut(s, put))).toMatchObject({ code: 'NotConfigured' });
    expect(failure(await shareLink(s, link))).toMatchObject({ code: 'NotConfigured' });
  });

  it('refuse with a grant-access fix when the host permission is missing', async () => {
    const s = setup({ granted: [] });
    await seedProfile(s.f, mine, { secretAccessKey: SECRET });
    for (const result of [await signPut(s, put), await shareLink(s, link)]) {
      expect(failure(result).code).toBe('HostPermissionMissing');
      expect(failure(result).fix).toEqual({ kind: 'grant-access' });
    }
    expect(s.hasHostPermission).toHaveBeenCalledWith(['https://my-bucket.s3.eu-west-1.amazonaws.com/*']);
  });

  it('sign a short-lived PUT bound to type and size, without the secret', async () => {
    const s = setup({ granted: ['https://my-bucket.s3.eu-west-1.amazonaws.com/*'] });
    await seedProfile(s.f, mine, { secretAccessKey: SECRET, sessionToken: TOKEN });
    const signed = ok(await signPut(s, put));
    const url = new URL(signed.url);
    expect(url.origin).toBe('https://my-bucket.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/2024/03/05/x-my%20file%2B1.txt');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20240305T070809Z');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(TOKEN);
    expect(signed.headers).toEqual({ 'content-type': 'text/plain' });
    expect(signed.expiresAt).toBe(NOW.getTime() + 300_000);
    expect(signed.url).not.toContain(SECRET);
    expect(signed.url).not.toContain(encodeURIComponent(SECRET));
    expect(s.fetch).not.toHaveBeenCalled();
  });

  it('sign a share link with the profile expiry and the original name', async () => {
    const s = setup();
    await seedProfile(s.f, { ...mine, linkExpirySeconds: 3600, endpoint: 'http://127.0.0.1:9', forcePathStyle: true, region: 'us-east-1' }, { secretAccessKey: SECRET });
    const signed = ok(await shareLink(s, link));
    const url = new URL(signed.url);
    expect(url.origin).toBe('http://127.0.0.1:9');
    expect(url.pathname).toBe('/my-bucket/2024/03/05/x-my%20file%2B1.txt');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(url.searchParams.get('response-content-disposition')).toBe(
      'inline; filename="my file+1.txt"; filename*=UTF-8\'\'my%20file%2B1.txt',
    );
    expect(signed.expiresAt).toBe(NOW.getTime() + 3600_000);
    expect(signed.lifetimeSeconds).toBe(3600);
    expect(signed.url).not.toContain(SECRET);
    expect(s.fetch).not.toHaveBeenCalled();
  });
});

describe('own keys: the profile asked for', () => {
  it('p2 signs a PUT for p2\'s endpoint, bucket and access key, with p2\'s secret', async () => {
    const s = await twoProfiles();
    const signed = ok(await signPut(s, upload, 'p2'));
    const url = new URL(signed.url);
    expect(url.origin).toBe('https://s3.example.com');
    expect(url.pathname).toBe('/media-bucket/media/k-cat.png');
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIAMEDIA/20240305/us-west-2/s3/aws4_request');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(TOKEN);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(signed.headers).toEqual({ 'content-type': 'image/png' });
    expect(signed.expiresAt).toBe(NOW.getTime() + 300_000);
    expect(signatureValid(signed, 'PUT', SECRET2, putHeaders)).toBe(true);
    expect(signatureValid(signed, 'PUT', SECRET, putHeaders)).toBe(false);
    expect(s.fetch).not.toHaveBeenCalled();
  });

  it('no profileId signs for the default profile', async () => {
    const s = await twoProfiles();
    const signed = ok(await signPut(s, upload));
    const url = new URL(signed.url);
    expect(url.host).toBe('work-bucket.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/media/k-cat.png');
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIAWORK/20240305/eu-west-1/s3/aws4_request');
    expect(url.searchParams.has('X-Amz-Security-Token')).toBe(false);
    expect(signatureValid(signed, 'PUT', SECRET, putHeaders)).toBe(true);
    expect(signatureValid(signed, 'PUT', SECRET2, putHeaders)).toBe(false);
  });

  it('p2\'s share link is a GET signed with p2\'s key and p2\'s link expiry', async () => {
    const s = await twoProfiles();
    const signed = ok(await shareLink(s, catLink, 'p2'));
    const url = new URL(signed.url);
    expect(url.origin).toBe('https://s3.example.com');
    expect(url.pathname).toBe('/media-bucket/media/k-cat.png');
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIAMEDIA/20240305/us-west-2/s3/aws4_request');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(url.searchParams.get('response-content-disposition')).toContain('cat.png');
    expect(signed.expiresAt).toBe(NOW.getTime() + 3600_000);
    expect(signatureValid(signed, 'GET', SECRET2)).toBe(true);
  });

  it('without profileId the share link uses the default profile\'s key and its 1-day expiry', async () => {
    const s = await twoProfiles();
    const signed = ok(await shareLink(s, catLink));
    const url = new URL(signed.url);
    expect(url.host).toBe('work-bucket.s3.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIAWORK/20240305/eu-west-1/s3/aws4_request');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('86400');
    expect(signatureValid(signed, 'GET', SECRET)).toBe(true);
  });
});

const share = (over: Partial<LinkRequest> = {}): LinkRequest => ({ key: 'work/k-cat.png', fileName: 'cat.png', contentType: 'image/png', ...over });

describe('shareLink: per-upload expiry', () => {
  it('a chosen expiry replaces the profile’s', async () => {
    const s = setup();
    await seedProfile(s.f, aws, { secretAccessKey: SECRET });
    const link = ok(await shareLink(s, share({ expiresIn: 900 })));
    expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('900');
    expect(link.expiresAt).toBe(NOW.getTime() + 900_000);
    expect(link.lifetimeSeconds).toBe(900);
    const custom = ok(await shareLink(s, share({ expiresIn: 5400 })));
    expect(new URL(custom.url).searchParams.get('X-Amz-Expires')).toBe('5400');
    const fallback = ok(await shareLink(s, share()));
    expect(new URL(fallback.url).searchParams.get('X-Amz-Expires')).toBe('86400');
    expect(fallback.lifetimeSeconds).toBe(86400);
  });

  it('a session token ending sooner still cuts the chosen expiry', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, sessionTokenExpiration: '2024-03-05T07:18:09Z' }, { secretAccessKey: SECRET, sessionToken: TOKEN });
    const link = ok(await shareLink(s, share({ expiresIn: 604800 })));
    expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('600');
    expect(link.expiresAt).toBe(NOW.getTime() + 600_000);
    // What the link really got, for the notification.
    expect(link.lifetimeSeconds).toBe(600);
    // A shorter choice than the token's life is kept.
    expect(new URL(ok(await shareLink(s, share({ expiresIn: 300 }))).url).searchParams.get('X-Amz-Expires')).toBe('300');
  });

  it('team mode asks the service for the chosen expiry as `expiration`', async () => {
    const s = setup();
    const team: PresignServiceProfile = { ...EMPTY_SERVICE_PROFILE, id: 'team', name: 'team', serviceUrl: 'https://files.example.com', serviceAuth: 'none', keyTemplate: 'drop/{uuid}' };
    await seedProfile(s.f, team);
    s.fetch.mockImplementation(async (input) => {
      const url = new URL(input);
      const expires = url.searchParams.get('expiration');
      return Response.json({ url: `https://s3.eu-west-1.amazonaws.com/b/k?X-Amz-Date=20240305T070809Z&X-Amz-Expires=${expires}&X-Amz-Signature=f00d` });
    });
    const link = ok(await shareLink(s, share({ expiresIn: 900 })));
    expect(new URL(String(s.fetch.mock.calls[0]![0])).searchParams.get('expiration')).toBe('900');
    expect(link.expiresAt).toBe(NOW.getTime() + 900_000);
    expect(link.lifetimeSeconds).toBe(900);
    ok(await shareLink(s, share()));
    expect(new URL(String(s.fetch.mock.calls[1]![0])).searchParams.get('expiration')).toBe('86400');
  });
});

describe('shareLink: disposition per profile', () => {
  const disposition = async (choice: KeysProfile['linkDisposition'], contentType: string, fileName = 'Grüße 日本.txt') => {
    const s = setup();
    await seedProfile(s.f, { ...aws, ...(choice ? { linkDisposition: choice } : {}) }, { secretAccessKey: SECRET });
    return new URL(ok(await shareLink(s, share({ fileName, contentType }))).url).searchParams.get('response-content-disposition')!;
  };

  it('auto (absent): by type', async () => {
    expect(await disposition(undefined, 'text/plain')).toMatch(/^inline; /);
    expect(await disposition('auto', 'application/zip')).toMatch(/^attachment; /);
  });

  it('always open in the browser, except SVG and HTML', async () => {
    expect(await disposition('inline', 'application/zip')).toMatch(/^inline; /);
    expect(await disposition('inline', 'image/svg+xml')).toMatch(/^attachment; /);
    expect(await disposition('inline', 'text/html')).toMatch(/^attachment; /);
  });

  it('always download, under the exact unicode name (filename*)', async () => {
    const value = await disposition('attachment', 'image/png');
    expect(value).toBe(`attachment; filename="Gruse _.txt"; filename*=UTF-8''${encodeURIComponent('Grüße 日本.txt')}`.replace('Gruse _', 'Gru_e __'));
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(value)![1]!)).toBe('Grüße 日本.txt');
  });
});

describe('shareLink: link modes', () => {
  it('public: the object’s plain URL, no signature, no expiry', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, linkMode: 'public' }, { secretAccessKey: SECRET });
    const link = ok(await shareLink(s, share({ key: 'work/My photo+1 #2.png', expiresIn: 900 })));
    expect(link).toEqual({ url: 'https://work-bucket.s3.eu-west-1.amazonaws.com/work/My%20photo%2B1%20%232.png', headers: {} });
    expect(link).not.toHaveProperty('expiresAt');
    expect(link).not.toHaveProperty('lifetimeSeconds');
  });

  it('public on a path-style custom endpoint', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, linkMode: 'public' }, { secretAccessKey: SECRET });
    expect(ok(await shareLink(s, share({ key: 'a/résumé.pdf' }))).url).toBe('http://127.0.0.1:9000/work-bucket/a/r%C3%A9sum%C3%A9.pdf');
  });

  it('custom: the key under the profile’s domain', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, linkMode: 'custom', linkBaseUrl: 'https://cdn.example.com/files/{key}' }, { secretAccessKey: SECRET });
    const link = ok(await shareLink(s, share({ key: 'work/a b?.png' })));
    expect(link).toEqual({ url: 'https://cdn.example.com/files/work/a%20b%3F.png', headers: {} });
  });

  it('public and custom links need no unlock; a presigned link does', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, linkMode: 'public' }, { secretAccessKey: SECRET });
    await seedProfile(s.f, { ...aws, id: 'cdn', name: 'cdn', linkMode: 'custom', linkBaseUrl: 'https://cdn.example.com/{key}' }, { secretAccessKey: SECRET });
    await seedProfile(s.f, { ...aws, id: 'signed', name: 'signed', linkMode: 'presigned' }, { secretAccessKey: SECRET });
    ok(await s.service.setPassphrase({ next: PASS }));
    await s.service.lock();
    expect(ok(await shareLink(s, share())).url).toBe('https://work-bucket.s3.eu-west-1.amazonaws.com/work/k-cat.png');
    expect(ok(await shareLink(s, share(), 'cdn')).url).toBe('https://cdn.example.com/work/k-cat.png');
    expect(failure(await shareLink(s, share(), 'signed'))).toEqual(LOCKED);
  });
});

describe('If-None-Match: signed for AWS only', () => {
  it('conditionalWrites: AWS and a template that can collide', () => {
    expect(conditionalWrites({ ...aws, keyTemplate: '{name}' })).toBe(true);
    expect(conditionalWrites({ ...aws, keyTemplate: '{uuid}-{name}' })).toBe(false);
    expect(conditionalWrites({ ...aws, keyTemplate: '{name}', endpoint: 'http://127.0.0.1:8080' })).toBe(false);
  });

  it('signPut signs it into the PUT and hands it to the sender', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, keyTemplate: 'docs/{name}' }, { secretAccessKey: SECRET });
    const destination = ok(await s.open());
    expect(destination.conditionalWrites).toBe(true);
    const signed = ok(await destination.signPut({ key: 'docs/a.txt', contentType: 'text/plain', size: 5, ifNoneMatch: true }));
    expect(new URL(signed.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host;if-none-match');
    expect(signed.headers).toEqual({ 'content-type': 'text/plain', 'if-none-match': '*' });
  });

  it('downloadAs: Content-Disposition attachment, with the name, is signed into the PUT and handed to the sender', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, keyTemplate: 'docs/{uuid}-{name}' }, { secretAccessKey: SECRET });
    const signed = ok(await signPut(s, { key: 'docs/x-logo.svg', contentType: 'application/octet-stream', size: 5, downloadAs: 'logö.svg' }));
    expect(new URL(signed.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-disposition;content-length;content-type;host');
    expect(signed.headers).toEqual({
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="logo.svg"; filename*=UTF-8''log%C3%B6.svg`,
    });
  });

  it('a custom endpoint never gets it, even when asked (Swift answers 501 to any conditional PUT)', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, keyTemplate: 'docs/{name}', endpoint: 'http://127.0.0.1:8080', forcePathStyle: true }, { secretAccessKey: SECRET });
    const destination = ok(await s.open());
    expect(destination.conditionalWrites).toBe(false);
    const signed = ok(await destination.signPut({ key: 'docs/a.txt', contentType: 'text/plain', size: 5, ifNoneMatch: true }));
    expect(new URL(signed.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(signed.headers).toEqual({ 'content-type': 'text/plain' });
  });
});

describe('own keys: session token expiry', () => {
  const temporary = (expiration: string): KeysProfile => ({
    ...work,
    id: 'tmp',
    name: 'temporary',
    accessKeyId: 'ASIATEMP',
    bucket: 'temp-bucket',
    sessionTokenExpiration: expiration,
    linkExpirySeconds: 24 * 3600,
  });

  it('an expired token answers ExpiredToken before any request is signed or sent', async () => {
    const s = setup();
    await seedProfile(s.f, temporary('2024-03-05T07:00:00Z'), { secretAccessKey: SECRET, sessionToken: TOKEN });
    const expected = { code: 'ExpiredToken', message: EXPIRED_SENTENCE, fix: { kind: 'open-options' }, transient: false };
    expect(failure(await signPut(s, upload, 'tmp'))).toEqual(expected);
    expect(failure(await shareLink(s, catLink, 'tmp'))).toEqual(expected);
    expect(failure(await signPut(s, upload))).toEqual(expected);
    expect(s.fetch).not.toHaveBeenCalled();
  });

  it('a token expiring exactly now counts as expired', async () => {
    const s = setup();
    await seedProfile(s.f, temporary(NOW.toISOString()), { secretAccessKey: SECRET, sessionToken: TOKEN });
    expect(failure(await signPut(s, upload)).code).toBe('ExpiredToken');
  });

  it('a token with 10 minutes left cuts a 1-day share link to 600 s', async () => {
    const s = setup();
    await seedProfile(s.f, temporary('2024-03-05T07:18:09Z'), { secretAccessKey: SECRET, sessionToken: TOKEN });
    const link = ok(await shareLink(s, catLink, 'tmp'));
    const url = new URL(link.url);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('600');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(TOKEN);
    expect(url.searchParams.get('X-Amz-Credential')).toBe('ASIATEMP/20240305/eu-west-1/s3/aws4_request');
    expect(link.expiresAt).toBe(NOW.getTime() + 600_000);
    expect(link.lifetimeSeconds).toBe(600);
    expect(signatureValid(link, 'GET', SECRET)).toBe(true);
    // Upload URLs already live only 5 minutes: unchanged.
    expect(new URL(ok(await signPut(s, upload, 'tmp')).url).searchParams.get('X-Amz-Expires')).toBe('300');
  });

  it('a token that outlives the link leaves the link expiry alone', async () => {
    const s = setup();
    await seedProfile(s.f, temporary('2024-03-07T07:08:09Z'), { secretAccessKey: SECRET, sessionToken: TOKEN });
    const link = ok(await shareLink(s, catLink, 'tmp'));
    expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('86400');
    expect(link.expiresAt).toBe(NOW.getTime() + 86_400_000);
  });
});

// ---------------------------------------------------------------------------
// A team's presign service

function teamProfile(over: Partial<PresignServiceDraft> = {}, id = 'team'): PresignServiceProfile {
  const draft: PresignServiceDraft = {
    ...EMPTY_SERVICE_PROFILE,
    id,
    name: id,
    serviceUrl: SERVICE,
    serviceAuth: 'bearer',
    serviceToken: '',
    keyTemplate: 'drop/{uuid}/{name}',
    endpoint: S3,
    region: 'eu-west-1',
    ...over,
  };
  return splitDraft(normalizeDraft(draft).draft).profile as PresignServiceProfile;
}

describe('presign service: signPut and shareLink', () => {
  async function saved(options: FakeTeamOptions = {}, over: Partial<PresignServiceDraft> = {}) {
    const t = fakeTeamService(options);
    await seedProfile(t.settings, teamProfile(over), { serviceToken: over.serviceAuth === 'none' ? '' : TOKEN });
    return t;
  }
  const put = (s: { open: Setup['open'] }, target: PutTarget) => signPut(s, target);

  it('signPut POSTs the key, type and size, and hands back the URL with the headers to send', async () => {
    const t = await saved({}, { bucket: 'team-bucket' });
    const signed = ok(await put(t, { key: 'drop/x/a b.txt', contentType: 'text/plain', size: 42 }));
    expect(t.calls).toHaveLength(1);
    const [call] = t.calls;
    expect(call!.method).toBe('POST');
    expect(call!.body).toEqual({ bucket_name: 'team-bucket', object_name: 'drop/x/a b.txt', expiration: 300, content_type: 'text/plain', content_length: 42 });
    expect(call!.url.searchParams.get('object_name')).toBe('drop/x/a b.txt');
    expect(call!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(signed).toEqual({ url: s3Url('drop/x/a b.txt', 300), headers: { 'content-type': 'text/plain' }, expiresAt: NOW.getTime() + 300_000 });
  });

  // The common FastAPI + boto3 presign service signs with generate_presigned_url and takes no Content-Disposition: octet-stream is all it gets.
  it('downloadAs and If-None-Match cannot be signed by the service: the request and the PUT carry neither', async () => {
    const t = await saved({}, { bucket: 'team-bucket' });
    const signed = ok(await put(t, { key: 'drop/x/logo.svg', contentType: 'application/octet-stream', size: 42, downloadAs: 'logo.svg', ifNoneMatch: true }));
    expect(t.calls[0]!.body).toEqual({ bucket_name: 'team-bucket', object_name: 'drop/x/logo.svg', expiration: 300, content_type: 'application/octet-stream', content_length: 42 });
    expect(signed.headers).toEqual({ 'content-type': 'application/octet-stream' });
  });

  it("the service's own headers win over S3 Drop's guess", async () => {
    const t = await saved({ service: () => Response.json({ url: s3Url('k'), headers: { 'Content-Type': 'text/plain; charset=utf-8', 'x-amz-acl': 'private' } }) });
    const signed = ok(await put(t, { key: 'drop/k', contentType: 'text/plain', size: 1 }));
    expect(signed.headers).toEqual({ 'content-type': 'text/plain; charset=utf-8', 'x-amz-acl': 'private' });
  });

  it('shareLink GETs with the profile’s expiry; the link expires, and says it lives, as long as the URL says', async () => {
    const t = await saved({ service: (call) => Response.json(s3Url(call.url.searchParams.get('object_name')!, 3600)) }, { linkExpirySeconds: 86400 });
    const link = ok(await shareLink(t, { key: 'drop/k.txt', fileName: 'k.txt', contentType: 'text/plain' }));
    expect(t.calls[0]!.method).toBe('GET');
    expect(t.calls[0]!.url.searchParams.get('expiration')).toBe('86400');
    // The service capped it to an hour: the popup and the notification show the real expiry.
    expect(link).toEqual({ url: s3Url('drop/k.txt', 3600), headers: {}, expiresAt: NOW.getTime() + 3600_000, lifetimeSeconds: 3600 });
  });

  it('no access to the service: a grant-access sentence and no request', async () => {
    const t = await saved({ granted: [`${S3}/*`] });
    for (const result of [await put(t, { key: 'k', contentType: 'a/b', size: 1 }), await shareLink(t, { key: 'k', fileName: 'k', contentType: 'a/b' })]) {
      expect(result).toMatchObject({ ok: false, error: { code: 'HostPermissionMissing', fix: { kind: 'grant-access' } } });
      expect(failure(result).message).toMatch(/presign service at files\.example\.com/);
    }
    expect(t.fetch).not.toHaveBeenCalled();
  });

  it('no access to the S3 host the URL points at: says which host', async () => {
    const t = await saved({ granted: [`${SERVICE}/*`], service: () => Response.json({ url: s3Url('k', 300, 'https://elsewhere.example.net') }) });
    const result = await put(t, { key: 'k', contentType: 'a/b', size: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'HostPermissionMissing', fix: { kind: 'grant-access' } } });
    expect(failure(result).message).toMatch(/no access to elsewhere\.example\.net, where the presign service's URLs point/);
  });

  it("the service's refusal becomes its sentence", async () => {
    const t = await saved({ service: () => Response.json({ detail: 'invalid token' }, { status: 401 }) });
    const result = await put(t, { key: 'k', contentType: 'a/b', size: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'PresignServiceRefused', fix: { kind: 'open-options' } } });
    expect(failure(result).message).not.toContain(TOKEN);
  });

  it('a missing token is NotConfigured, before any request', async () => {
    const t = await saved();
    await t.settings.keeper.update(() => ({}));
    expect(await put(t, { key: 'k', contentType: 'a/b', size: 1 })).toMatchObject({ ok: false, error: { code: 'NotConfigured', fix: { kind: 'open-options' } } });
    expect(t.fetch).not.toHaveBeenCalled();
  });

  it('an open service is asked without a token', async () => {
    const t = await saved({}, { serviceAuth: 'none' });
    ok(await put(t, { key: 'k', contentType: 'a/b', size: 1 }));
    expect(t.calls[0]!.headers.authorization).toBeUndefined();
  });
});
