import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveBytes, type SaveDeps } from '../../src/capture/save-from-page';
import { createUploadHandlers } from '../../src/background/upload-service';
import type { RecentUpload } from '../../src/history/recent';
import type { PutRequest } from '../../src/upload/transport';
import { EMPTY_PROFILE, EMPTY_SERVICE_PROFILE, type KeysProfile, type PresignServiceDraft, type PresignServiceProfile } from '../../src/settings/profile';
import { accessOrigins, capabilitiesOf, normalizeDraft, splitDraft, validateDraft } from '../../src/settings/profile-kinds';
import { seedProfile } from '../support/fake-settings';
import { fakeTeamService, noSuchKey, s3Url, TEAM_S3 as S3, TEAM_SERVICE as SERVICE, type FakeTeamOptions, type ServiceCall } from '../support/fake-team-service';

const TOKEN = 'team-token-abc123';
const NOW = new Date('2024-03-05T07:08:09Z');
const UUID = '123e4567-e89b-42d3-a456-426614174000';

const teamDraft = (over: Partial<PresignServiceDraft> = {}): PresignServiceDraft => ({
  ...EMPTY_SERVICE_PROFILE,
  serviceUrl: SERVICE,
  serviceAuth: 'bearer',
  serviceToken: TOKEN,
  keyTemplate: 'drop/{uuid}/{name}',
  ...over,
});

/** The team's service and S3 in memory: the service answers `{ url }`, S3 answers "no such key". */
const fake = (options: FakeTeamOptions = {}) => fakeTeamService({ s3: noSuchKey, uuid: () => UUID, ...options });

describe('presign-service profile settings', () => {
  it('validates what the service mode needs, and only that', () => {
    expect(validateDraft(teamDraft(), { hasSavedSecret: false })).toEqual({});
    expect(validateDraft(teamDraft({ serviceUrl: '' }), { hasSavedSecret: false })).toEqual({ serviceUrl: expect.stringMatching(/Enter the presign service's URL/) });
    expect(validateDraft(teamDraft({ serviceToken: '' }), { hasSavedSecret: false })).toEqual({ serviceToken: 'Enter the token the service gave you.' });
    expect(validateDraft(teamDraft({ serviceToken: '' }), { hasSavedSecret: true })).toEqual({});
    expect(validateDraft(teamDraft({ serviceAuth: 'none', serviceToken: '' }), { hasSavedSecret: false })).toEqual({});
    expect(validateDraft(teamDraft({ serviceAuth: 'header', serviceAuthHeader: '' }), { hasSavedSecret: false })).toEqual({
      serviceAuthHeader: expect.stringMatching(/Enter the header name/),
    });
    expect(validateDraft(teamDraft({ serviceAuth: 'header', serviceAuthHeader: 'X-API-Key', serviceToken: '' }), { hasSavedSecret: false }).serviceToken).toBe(
      'Enter the header value (the token).',
    );
    expect(validateDraft(teamDraft({ bucket: 'Bad_Bucket' }), { hasSavedSecret: false })).toEqual({ bucket: expect.stringMatching(/lowercase/) });
    expect(validateDraft(teamDraft({ keyTemplate: '', linkExpirySeconds: 0 }), { hasSavedSecret: false })).toMatchObject({
      keyTemplate: expect.any(String),
      linkExpirySeconds: expect.any(String),
    });
    // No bucket, keys or region needed.
    expect(validateDraft(teamDraft({ bucket: '', region: '' }), { hasSavedSecret: false })).toEqual({});
  });

  it('normalizes the pasted service URL and keeps the profile free of secrets', () => {
    const { draft, trimmed } = normalizeDraft(teamDraft({ serviceUrl: ` ${SERVICE}/api/v1/files/presign `, serviceToken: ` ${TOKEN}\n`, forcePathStyle: false }));
    expect(trimmed).toEqual(['serviceUrl', 'serviceToken']);
    expect(draft).toMatchObject({ serviceUrl: SERVICE, serviceToken: TOKEN, forcePathStyle: true, accessKeyId: '' });
    const { profile, secrets } = splitDraft(draft);
    expect(secrets).toEqual({ serviceToken: TOKEN });
    expect(JSON.stringify(profile)).not.toContain(TOKEN);
    expect(Object.keys(profile).sort()).toEqual(Object.keys(EMPTY_SERVICE_PROFILE).sort());
  });

  it('capabilities and access origins per kind', () => {
    expect(capabilitiesOf(null)).toEqual({ multipart: true, delete: true });
    expect(capabilitiesOf(EMPTY_PROFILE)).toEqual({ multipart: true, delete: true });
    expect(capabilitiesOf(EMPTY_SERVICE_PROFILE)).toEqual({ multipart: false, delete: false });
    expect(accessOrigins({ ...EMPTY_SERVICE_PROFILE, serviceUrl: `${SERVICE}/team` })).toEqual([`${SERVICE}/*`]);
    expect(accessOrigins({ ...EMPTY_SERVICE_PROFILE, serviceUrl: SERVICE, endpoint: S3 })).toEqual([`${SERVICE}/*`, `${S3}/*`]);
    expect(accessOrigins({ ...EMPTY_SERVICE_PROFILE, serviceUrl: 'http://127.0.0.1:8000', endpoint: 'http://127.0.0.1:8000' })).toEqual(['http://127.0.0.1/*']);
    expect(accessOrigins({ ...EMPTY_SERVICE_PROFILE, serviceUrl: 'not a url' })).toEqual([]);
    expect(accessOrigins({ ...EMPTY_PROFILE, bucket: 'b', region: 'eu-west-1' })).toEqual(['https://b.s3.eu-west-1.amazonaws.com/*']);
  });
});

describe('saveProfile for a presign service', () => {
  it('stores the token only with the secrets, and drops any saved keys', async () => {
    const f = fake();
    const keys: KeysProfile = { ...EMPTY_PROFILE, id: 'p1', name: 'b', accessKeyId: 'AKIAEXAMPLE', bucket: 'b' };
    await seedProfile(f.settings, keys, { secretAccessKey: 'OLD-SECRET', sessionToken: 'OLD-SESSION' });
    const report = await f.service.saveProfile(teamDraft({ id: 'p1' }));
    expect(report).toEqual({ saved: true, id: 'p1', errors: {}, trimmed: [], needsAccess: [], s3Origin: S3 });
    expect(await f.settings.secrets('p1')).toEqual({ secretAccessKey: '', sessionToken: '', serviceToken: TOKEN });
    expect(f.settings.profile('p1')).toEqual({
      ...EMPTY_SERVICE_PROFILE,
      id: 'p1',
      name: 'files.example.com',
      serviceUrl: SERVICE,
      keyTemplate: 'drop/{uuid}/{name}',
      endpoint: S3,
      region: 'eu-west-1',
    });
    const stored = JSON.stringify([f.settings.profiles, f.settings.stored]);
    expect(stored).not.toMatch(/AKIAEXAMPLE|OLD-SECRET|OLD-SESSION/);
  });

  it('a new presign-service profile gets a fresh id and the service host as its name', async () => {
    const f = fake();
    const report = await f.service.saveProfile(teamDraft());
    expect(report).toMatchObject({ saved: true, id: UUID });
    expect(f.settings.profiles).toEqual({ profiles: [expect.objectContaining({ id: UUID, name: 'files.example.com', kind: 'presign-service' })], defaultId: UUID });
    expect(f.settings.stored).toEqual({ encryption: 'none', byProfile: { [UUID]: { secretAccessKey: '', sessionToken: '', serviceToken: TOKEN } } });
  });

  it('learns the S3 host with a GET for a key that does not exist, under the template', async () => {
    const f = fake();
    await f.service.saveProfile(teamDraft());
    expect(f.calls).toHaveLength(1);
    const [probe] = f.calls;
    expect(probe!.method).toBe('GET');
    expect(probe!.url.pathname).toBe('/api/v1/files/presign');
    expect(probe!.url.searchParams.get('object_name')).toBe(`drop/${UUID}/s3-drop-connection-test.txt`);
    expect(probe!.url.searchParams.get('expiration')).toBe('60');
    expect(probe!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('asks for the S3 host when it is not granted yet', async () => {
    const f = fake({ granted: [`${SERVICE}/*`] });
    const report = await f.service.saveProfile(teamDraft());
    expect(report).toMatchObject({ saved: true, needsAccess: [`${S3}/*`], s3Origin: S3 });
  });

  it('without access to the service it saves, asks for it, and learns nothing yet', async () => {
    const f = fake({ granted: [] });
    const report = await f.service.saveProfile(teamDraft());
    expect(report).toMatchObject({ saved: true, needsAccess: [`${SERVICE}/*`] });
    expect(report.s3Origin).toBeUndefined();
    expect(f.fetch).not.toHaveBeenCalled();
    expect(f.settings.profile()?.endpoint).toBe('');
  });

  it('saves even when the service refuses, keeping what the page knew', async () => {
    const f = fake({ service: () => Response.json({ detail: 'invalid token' }, { status: 401 }) });
    const report = await f.service.saveProfile(teamDraft({ endpoint: S3 }));
    expect(report).toMatchObject({ saved: true, needsAccess: [] });
    expect(f.settings.profile()?.endpoint).toBe(S3);
  });

  it('keeps the saved token when the draft leaves it empty; needs one on the first save', async () => {
    const f = fake();
    expect(await f.service.saveProfile(teamDraft({ serviceToken: '' }))).toMatchObject({ saved: false, id: '', errors: { serviceToken: expect.any(String) } });
    expect(f.settings.profiles).toEqual({ profiles: [], defaultId: null });
    expect(f.settings.stored).toBeNull();
    const { id } = await f.service.saveProfile(teamDraft());
    expect(await f.service.saveProfile(teamDraft({ id, serviceToken: '', bucket: 'other-bucket' }))).toMatchObject({ saved: true, id });
    expect((await f.settings.secrets(id))?.serviceToken).toBe(TOKEN);
    expect(f.settings.profile(id)?.bucket).toBe('other-bucket');
    expect(f.settings.profiles.profiles).toHaveLength(1);
  });

  it('a service without a token stores none', async () => {
    const f = fake();
    await f.service.saveProfile(teamDraft({ serviceAuth: 'none', serviceToken: 'typed anyway' }));
    expect(await f.settings.secrets()).toEqual({ secretAccessKey: '', sessionToken: '', serviceToken: '' });
    expect(JSON.stringify(f.settings.stored)).not.toContain('typed anyway');
    expect(f.calls[0]!.headers.authorization).toBeUndefined();
  });

  it('saving keys afterwards drops the token', async () => {
    const f = fake();
    const { id } = await f.service.saveProfile(teamDraft());
    await f.service.saveProfile({ ...EMPTY_PROFILE, id, accessKeyId: 'AKIA', secretAccessKey: 'SECRET', bucket: 'my-bucket', region: 'eu-west-1' });
    expect(await f.settings.secrets(id)).toEqual({ secretAccessKey: 'SECRET', sessionToken: '', serviceToken: '' });
    expect(f.settings.profile(id)?.kind).toBe('keys');
    expect(f.settings.profiles.profiles).toHaveLength(1);
  });
});

describe('a saved token goes only where it was saved for', () => {
  const ELSEWHERE = 'https://files.example.net';
  /** Every request since `from` that carried the token anywhere: a header, the URL or the body. */
  const carrying = (calls: ServiceCall[], token = TOKEN) => calls.filter((c) => JSON.stringify([c.url.href, c.headers, c.body ?? null]).includes(token));

  async function savedWith(over: Partial<PresignServiceDraft> = {}) {
    const f = fake();
    const { id } = await f.service.saveProfile(teamDraft(over));
    expect(await f.settings.secrets(id)).toMatchObject({ serviceToken: TOKEN });
    expect(carrying(f.calls)).toHaveLength(1); // the probe, to the saved service
    f.calls.length = 0;
    return { f, id };
  }

  it.each([
    ['another host', { serviceUrl: ELSEWHERE }],
    ['another port', { serviceUrl: `${SERVICE}:8443` }],
    ['http on this computer instead', { serviceUrl: 'http://127.0.0.1:8000' }],
    ['a header instead of a bearer', { serviceAuth: 'header' as const, serviceAuthHeader: 'X-API-Key' }],
  ])('%s: Save drops it, sends it nowhere, and says to type it again', async (_label, change) => {
    const { f, id } = await savedWith();
    const report = await f.service.saveProfile(teamDraft({ id, serviceToken: '', ...change }));
    expect(report).toMatchObject({ saved: true, id, errors: {}, tokenDropped: true });
    expect(await f.settings.secrets(id)).toEqual({ secretAccessKey: '', sessionToken: '', serviceToken: '' });
    expect(f.settings.profile(id)).toMatchObject(change);
    // The probe while saving went out without it.
    expect(f.calls.length).toBeGreaterThan(0);
    expect(carrying(f.calls)).toEqual([]);
    expect(f.calls.every((c) => c.headers.authorization === undefined && c.headers['x-api-key'] === undefined)).toBe(true);
    // Not ready until it is typed again: the popup says so, and nothing is asked.
    expect((await f.service.getSettings()).hasSecret).toBe(false);
    f.calls.length = 0;
    const destination = await f.open(id);
    if (!destination.ok) throw new Error(destination.error.message);
    expect(await destination.value.signPut({ key: 'drop/k', contentType: 'a/b', size: 1 })).toMatchObject({ ok: false, error: { code: 'NotConfigured' } });
    expect(f.calls).toEqual([]);
  });

  it('a header of its own: another header name drops it; the same name in other letter case keeps it', async () => {
    const { f, id } = await savedWith({ serviceAuth: 'header', serviceAuthHeader: 'X-API-Key' });
    expect(await f.service.saveProfile(teamDraft({ id, serviceToken: '', serviceAuth: 'header', serviceAuthHeader: 'x-api-key' }))).not.toHaveProperty('tokenDropped');
    expect(carrying(f.calls).map((c) => c.headers)).toEqual([expect.objectContaining({ 'x-api-key': TOKEN })]);
    f.calls.length = 0;
    const report = await f.service.saveProfile(teamDraft({ id, serviceToken: '', serviceAuth: 'header', serviceAuthHeader: 'X-Team-Token' }));
    expect(report).toMatchObject({ saved: true, tokenDropped: true });
    expect(carrying(f.calls)).toEqual([]);
    expect((await f.settings.secrets(id))?.serviceToken).toBe('');
  });

  it('the same origin keeps it: another path, the pasted endpoint, other fields', async () => {
    const { f, id } = await savedWith();
    for (const change of [{ serviceUrl: `${SERVICE}/team` }, { serviceUrl: `${SERVICE.toUpperCase()}:443/api/v1/files/presign` }, { bucket: 'other-bucket' }]) {
      const report = await f.service.saveProfile(teamDraft({ id, serviceToken: '', ...change }));
      expect(report, JSON.stringify(change)).toMatchObject({ saved: true, errors: {} });
      expect(report).not.toHaveProperty('tokenDropped');
      expect((await f.settings.secrets(id))?.serviceToken).toBe(TOKEN);
    }
  });

  it('a token typed with the new address is saved, and nothing is dropped', async () => {
    const { f, id } = await savedWith();
    const report = await f.service.saveProfile(teamDraft({ id, serviceUrl: ELSEWHERE, serviceToken: 'the-new-service-token' }));
    expect(report).toMatchObject({ saved: true });
    expect(report).not.toHaveProperty('tokenDropped');
    expect((await f.settings.secrets(id))?.serviceToken).toBe('the-new-service-token');
    expect(carrying(f.calls)).toEqual([]);
  });

  it('once dropped, going back to the old address does not bring it back', async () => {
    const { f, id } = await savedWith();
    await f.service.saveProfile(teamDraft({ id, serviceUrl: ELSEWHERE, serviceToken: '' }));
    const back = await f.service.saveProfile(teamDraft({ id, serviceToken: '' }));
    expect(back).toMatchObject({ saved: false, errors: { serviceToken: 'Enter the token the service gave you.' } });
  });

  it('Test connection with an edited address does not use the saved token, and says to type it again', async () => {
    const { f, id } = await savedWith({ serviceAuth: 'header', serviceAuthHeader: 'X-API-Key' });
    for (const change of [{ serviceUrl: ELSEWHERE }, { serviceAuthHeader: 'X-Other' }, { serviceAuth: 'bearer' as const }]) {
      const report = await f.service.testConnection(teamDraft({ id, serviceToken: '', serviceAuth: 'header', serviceAuthHeader: 'X-API-Key', ...change }));
      expect(report, JSON.stringify(change)).toMatchObject({ ok: false, error: { code: 'InvalidSettings' } });
      expect(report.message).toBe("The service's address or the way the token is sent changed, and S3 Drop never sends a saved token anywhere new: enter the token again.");
    }
    expect(f.calls).toEqual([]);
    // Unchanged, it still tests with the saved token; the stored one was never touched.
    expect((await f.service.testConnection(teamDraft({ id, serviceToken: '', serviceAuth: 'header', serviceAuthHeader: 'X-API-Key' }))).ok).toBe(true);
    expect(carrying(f.calls).map((c) => c.url.origin)).toEqual([SERVICE]);
    expect((await f.settings.secrets(id))?.serviceToken).toBe(TOKEN);
  });

  it('a profile that used keys before has no token to carry', async () => {
    const f = fake();
    await seedProfile(f.settings, { ...EMPTY_PROFILE, id: 'p1', name: 'b', accessKeyId: 'AKIA', bucket: 'b' }, { secretAccessKey: 'SECRET' });
    expect(await f.service.saveProfile(teamDraft({ id: 'p1', serviceToken: '' }))).toMatchObject({ saved: false, errors: { serviceToken: expect.any(String) } });
  });
});

describe('getSettings in team mode', () => {
  it('says the token is saved, never what it is, and what the mode cannot do', async () => {
    const f = fake();
    await f.service.saveProfile(teamDraft());
    const settings = await f.service.getSettings();
    expect(settings).toMatchObject({
      hasSecret: true,
      hasSessionToken: false,
      capabilities: { multipart: false, delete: false },
      accessOrigins: [`${SERVICE}/*`, `${S3}/*`],
    });
    expect(settings.profile?.kind).toBe('presign-service');
    expect(JSON.stringify(settings)).not.toContain(TOKEN);
  });

  it('is not ready without the token a bearer service wants; is ready for an open service', async () => {
    const f = fake();
    const bearer: PresignServiceProfile = { ...EMPTY_SERVICE_PROFILE, id: 'p1', name: 'bearer', serviceUrl: SERVICE };
    f.settings.profiles = { profiles: [bearer], defaultId: 'p1' };
    expect((await f.service.getSettings()).hasSecret).toBe(false);
    f.settings.profiles = { profiles: [{ ...bearer, serviceAuth: 'none' }], defaultId: 'p1' };
    expect((await f.service.getSettings()).hasSecret).toBe(true);
  });
});

describe('the background save flow (context menu, screenshot) in team mode', () => {
  it('uploads through the service, copies a link the service signed, and records it', async () => {
    const f = fake();
    await f.service.saveProfile(teamDraft());
    const puts: PutRequest[] = [];
    const copied: string[] = [];
    const notified: string[] = [];
    const recorded: RecentUpload[] = [];
    // The upload service as the background calls it for its own saves: directly, no message to itself.
    const uploads = createUploadHandlers({
      open: f.open,
      record: async (upload) => {
        recorded.push(upload);
      },
      now: () => NOW,
      uuid: () => UUID,
      ensureRunner: async () => {},
    });
    const deps: SaveDeps = {
      pipeline: {
        backend: uploads,
        transport: {
          async put(request) {
            puts.push(request);
            return { status: 200, body: '', etag: '"e"' };
          },
        },
        copy: async (text) => {
          copied.push(text);
          return true;
        },
        // The clock the URLs were signed by: a URL about to expire would be signed again.
        now: () => NOW.getTime(),
      },
      readInPage: async () => {
        throw new Error('not used');
      },
      fetchImage: async () => {
        throw new Error('not used');
      },
      hasHostPermission: async () => true,
      requestHostPermission: async () => true,
      notifySuccess: async (delivered, detail) => {
        notified.push(`${delivered.copied ? 'copied' : 'not copied'}: ${detail}`);
      },
      notifyFailure: async (title, message) => {
        notified.push(`${title}: ${message}`);
      },
      now: () => NOW,
    };
    const done = await saveBytes(deps, { bytes: new Uint8Array([1, 2, 3]), type: 'image/png', name: 'shot.png', source: 'screenshot' });
    expect(done).toMatchObject({ status: 'done', key: `drop/${UUID}/shot.png`, link: s3Url(`drop/${UUID}/shot.png`, 86400) });
    expect(puts.map((p) => [p.url, p.headers])).toEqual([[s3Url(`drop/${UUID}/shot.png`, 300), { 'content-type': 'image/png' }]]);
    expect(copied).toEqual([s3Url(`drop/${UUID}/shot.png`, 86400)]);
    // The probe when saving, the PUT URL, the share link.
    expect(f.calls.map((c) => c.method)).toEqual(['GET', 'POST', 'GET']);
    expect(notified).toEqual(['copied: shot.png · 3 B; link valid for 1 day']);
    expect(recorded).toMatchObject([{ source: 'screenshot', name: 'shot.png', size: 3, type: 'image/png', status: 'done', key: `drop/${UUID}/shot.png`, profileId: UUID }]);
  });
});

describe('testConnection for a presign service', () => {
  it('Connected: says where the URLs point, after S3 answered "no such key"', async () => {
    const f = fake();
    const report = await f.service.testConnection(teamDraft());
    expect(report).toEqual({
      ok: true,
      message: `Connected. The presign service at files.example.com answers, and its URLs point at S3 on team-bucket.s3.eu-west-1.amazonaws.com (region eu-west-1). S3 accepts its signature.`,
      s3Origin: S3,
      region: 'eu-west-1',
    });
    expect(f.calls.map((c) => `${c.method} ${c.url.origin}`)).toEqual([`GET ${SERVICE}`, `GET ${S3}`]);
  });

  it('without access to the S3 host: connected to the service, and offers the host', async () => {
    const f = fake({ granted: [`${SERVICE}/*`] });
    const report = await f.service.testConnection(teamDraft());
    expect(report).toMatchObject({ ok: true, needsAccess: [`${S3}/*`], s3Origin: S3 });
    expect(report.message).toMatch(/Allow access to team-bucket\.s3\.eu-west-1\.amazonaws\.com so uploads can reach it\.$/);
    expect(f.calls).toHaveLength(1);
  });

  it('without access to the service: asks for it', async () => {
    const f = fake({ granted: [] });
    const report = await f.service.testConnection(teamDraft());
    expect(report).toMatchObject({ ok: false, needsAccess: [`${SERVICE}/*`], error: { code: 'HostPermissionMissing' } });
    expect(f.fetch).not.toHaveBeenCalled();
  });

  it('says when the host changed since it was saved', async () => {
    const report = await fake().service.testConnection(teamDraft({ endpoint: 'https://old.example.com' }));
    expect(report.message).toMatch(/\(it pointed at old\.example\.com before\)/);
  });

  it.each([
    ['SignatureDoesNotMatch', 403, false, /refused the presign service's signature \(SignatureDoesNotMatch\)/],
    ['AuthorizationQueryParametersError', 400, false, /signed for region eu-west-1, but the bucket is in us-east-2/],
    ['NoSuchBucket', 404, false, /has no bucket/],
    ['AccessDenied', 403, true, /AccessDenied for a key that does not exist.*s3:GetObject/],
  ])('S3 answering %s', async (code, status, good, sentence) => {
    const f = fake({
      s3: () =>
        new Response(`<Error><Code>${code}</Code><Message>Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-2'</Message><Region>us-east-2</Region></Error>`, { status }),
    });
    const report = await f.service.testConnection(teamDraft());
    expect(report.ok).toBe(good);
    expect(report.message).toMatch(sentence);
    expect(report.s3Origin).toBe(S3);
  });

  it('an already-expired URL points at a clock', async () => {
    const f = fake({ s3: () => new Response('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>', { status: 403 }) });
    const report = await f.service.testConnection(teamDraft());
    expect(report).toMatchObject({ ok: false, error: { code: 'PresignServiceClock' } });
    expect(report.message).toMatch(/already expired: the service's clock/);
  });

  it('S3 unreachable at the address the service signs for', async () => {
    const f = fake({
      s3: () => {
        throw new TypeError('fetch failed');
      },
    });
    const report = await f.service.testConnection(teamDraft());
    expect(report).toMatchObject({ ok: false, error: { code: 'NetworkError', transient: true } });
    expect(report.message).toMatch(/cannot reach team-bucket\.s3\.eu-west-1\.amazonaws\.com: nothing answered there/);
  });

  it('a service that answers with its sign-in page', async () => {
    const f = fake({ service: () => new Response('<!doctype html><title>Sign in</title>', { headers: { 'content-type': 'text/html' } }) });
    const report = await f.service.testConnection(teamDraft());
    expect(report).toMatchObject({ ok: false, error: { code: 'PresignServiceBadAnswer' } });
    expect(report.message).toMatch(/a web page, not a URL/);
  });

  it('reports the first blocking field without the network, and uses the saved token', async () => {
    const f = fake();
    expect((await f.service.testConnection(teamDraft({ serviceUrl: 'http://files.example.com' }))).message).toMatch(/Use https:\/\//);
    expect((await f.service.testConnection(teamDraft({ serviceToken: '' }))).message).toBe('Enter the token the service gave you.');
    expect(f.fetch).not.toHaveBeenCalled();
    await seedProfile(f.settings, { ...EMPTY_SERVICE_PROFILE, id: 'p1', name: 'files', serviceUrl: SERVICE }, { serviceToken: 'SAVED-TOKEN' });
    await f.service.testConnection(teamDraft({ id: 'p1', serviceToken: '' }));
    expect(f.calls[0]!.headers.authorization).toBe('Bearer SAVED-TOKEN');
  });
});

describe('module boundaries', () => {
  it('src/team uses no extension API, so it runs in plain Node', () => {
    const dir = join(import.meta.dirname, '../../src/team');
    for (const name of readdirSync(dir)) {
      const text = readFileSync(join(dir, name), 'utf8');
      expect(text, name).not.toMatch(/from ['"](wxt\/browser|webextension-polyfill|#imports|wxt\/utils\/storage)['"]/);
      expect(text, name).not.toMatch(/\b(browser|chrome)\.(runtime|storage|permissions|tabs)\b/);
    }
  });
});
