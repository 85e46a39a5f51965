import { describe, expect, it, vi } from 'vitest';
import { LOCKED, NOT_CONFIGURED } from '../../src/destination/connection';
import { createService, type ServiceDeps } from '../../src/background/service';
import type { Result } from '../../src/result';
import type { SignedRequest } from '../../src/s3/presign';
import type { FetchLike } from '../../src/s3/region';
import { EMPTY_PROFILE, type KeysDraft, type KeysProfile, type ProfileDraft } from '../../src/settings/profile';
import { exportProfiles } from '../../src/settings/transfer';
import { destinationOpener, fakeSettings, MEDIA_PROFILE, seedProfile, type FakeSettings } from '../support/fake-settings';
import { signatureValid } from '../support/sigv4';
import { ok, failure } from '../support/results';

const NOW = new Date('2024-03-05T07:08:09Z');
const SECRET1 = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SECRET2 = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
const TOKEN = 'SESSIONTOKEN/abc+def=';
const PASS = 'correct horse battery staple';

const work: KeysProfile = {
  ...EMPTY_PROFILE,
  id: 'p1',
  name: 'work',
  accessKeyId: 'AKIAWORK',
  bucket: 'work-bucket',
  region: 'eu-west-1',
  keyTemplate: 'work/{uuid}-{name}',
};

const media = MEDIA_PROFILE;

interface Setup {
  f: FakeSettings;
  service: ReturnType<typeof createService>;
  fetch: ReturnType<typeof vi.fn<FetchLike>>;
  hasHostPermission: ReturnType<typeof vi.fn<ServiceDeps['hasHostPermission']>>;
  /** The destinations over the same settings: what an upload signs with, to see what the service changed. */
  open: ReturnType<typeof destinationOpener>;
}

/** The real service over in-memory settings (real keeper, real vault), with every origin granted and no network. */
function setup(): Setup {
  const f = fakeSettings();
  const fetch = vi.fn<FetchLike>(async (input) => {
    throw new Error(`unexpected fetch of ${String(input)}`);
  });
  const hasHostPermission = vi.fn<ServiceDeps['hasHostPermission']>(async () => true);
  let n = 0;
  const deps: ServiceDeps = {
    ...f.deps,
    hasHostPermission,
    fetch,
    now: () => NOW,
    uuid: () => `uuid-${++n}`,
  };
  return { f, service: createService(deps), fetch, hasHostPermission, open: destinationOpener(deps) };
}

/** Two keys profiles on two buckets: "work" (AWS, the default) and "media" (an S3-compatible endpoint). */
async function twoProfiles(): Promise<Setup> {
  const s = setup();
  await seedProfile(s.f, work, { secretAccessKey: SECRET1 });
  await seedProfile(s.f, media, { secretAccessKey: SECRET2, sessionToken: TOKEN });
  return s;
}

const draft = (over: Partial<KeysDraft> = {}): ProfileDraft => ({
  ...EMPTY_PROFILE,
  accessKeyId: 'AKIANEW',
  secretAccessKey: 'NEW-SECRET',
  sessionToken: '',
  bucket: 'new-bucket',
  region: 'eu-central-1',
  ...over,
});

const upload = { key: 'media/k-cat.png', contentType: 'image/png', size: 1234 };
const share = { key: 'media/k-cat.png', fileName: 'cat.png', contentType: 'image/png' };

/** A PUT signed by the profile's destination (the default without an id), or why it cannot be. */
async function signUpload(open: Setup['open'], profileId?: string): Promise<Result<SignedRequest>> {
  const opened = await open(profileId);
  return opened.ok ? opened.value.signPut(upload) : opened;
}

async function shareLink(open: Setup['open'], profileId?: string): Promise<Result<SignedRequest>> {
  const opened = await open(profileId);
  return opened.ok ? opened.value.shareLink(share) : opened;
}

const putHeaders = { 'content-length': '1234', 'content-type': 'image/png' };

// ---------------------------------------------------------------------------

describe('saveProfile', () => {
  it('gives a new draft an id from uuid and stores its secrets under that id', async () => {
    const { service, f } = await twoProfiles();
    const report = await service.saveProfile(draft({ name: 'third' }));
    expect(report).toEqual({ saved: true, id: 'uuid-1', errors: {}, trimmed: [], needsAccess: [] });
    expect(f.profiles.profiles.map((p) => [p.id, p.name])).toEqual([
      ['p1', 'work'],
      ['p2', 'media'],
      ['uuid-1', 'third'],
    ]);
    expect(f.profiles.defaultId).toBe('p1');
    expect(await f.keeper.get('uuid-1')).toEqual({ secretAccessKey: 'NEW-SECRET', sessionToken: '', serviceToken: '' });
    expect(f.profiles.profiles[2]).not.toHaveProperty('secretAccessKey');
  });

  it('names an unnamed profile after its bucket', async () => {
    const { service, f } = setup();
    const report = await service.saveProfile(draft());
    expect(report.saved).toBe(true);
    expect(f.profile(report.id)?.name).toBe('new-bucket');
    expect(f.profiles.defaultId).toBe(report.id);
  });

  it('refuses a second profile with a name already taken (any case), with the error on name', async () => {
    const { service, f } = await twoProfiles();
    const before = structuredClone({ profiles: f.profiles, stored: f.stored });
    const report = await service.saveProfile(draft({ name: 'WORK' }));
    expect(report).toEqual({
      saved: false,
      id: '',
      errors: { name: 'Another profile is already called "WORK". Choose another name.' },
      trimmed: [],
      needsAccess: [],
    });
    expect({ profiles: f.profiles, stored: f.stored }).toEqual(before);
  });

  it('saving the same new draft twice: the second is refused on name', async () => {
    const { service, f } = setup();
    expect((await service.saveProfile(draft({ name: 'twice' }))).saved).toBe(true);
    const second = await service.saveProfile(draft({ name: 'twice' }));
    expect(second.saved).toBe(false);
    expect(Object.keys(second.errors)).toEqual(['name']);
    expect(f.profiles.profiles).toHaveLength(1);
  });

  it('an existing profile keeps its own name and id, and its saved secret when the draft leaves it empty', async () => {
    const { service, f } = await twoProfiles();
    const report = await service.saveProfile({ ...media, secretAccessKey: '', sessionToken: '', linkExpirySeconds: 900 });
    expect(report).toMatchObject({ saved: true, id: 'p2', errors: {} });
    expect(f.profile('p2')?.linkExpirySeconds).toBe(900);
    expect(await f.keeper.get('p2')).toEqual({ secretAccessKey: SECRET2, sessionToken: TOKEN, serviceToken: '' });
    expect(f.profiles.profiles.map((p) => p.id)).toEqual(['p1', 'p2']);
  });

  it('refuses to save a profile deleted meanwhile', async () => {
    const { service, f } = await twoProfiles();
    const report = await service.saveProfile({ ...media, id: 'gone', name: 'ghost' });
    expect(report).toMatchObject({ saved: false, errors: { name: 'This profile was deleted in another window. Reload the page.' } });
    expect(f.profiles.profiles).toHaveLength(2);
  });
});

describe('duplicate, delete, default', () => {
  it('duplicateProfile copies the secrets; the copy is "media copy" and signs with the same key', async () => {
    const { service, f, open } = await twoProfiles();
    expect(ok(await service.duplicateProfile('p2'))).toEqual({ id: 'uuid-1', name: 'media copy' });
    expect(f.profiles.profiles.map((p) => p.id)).toEqual(['p1', 'p2', 'uuid-1']);
    expect(f.profile('uuid-1')).toEqual({ ...media, id: 'uuid-1', name: 'media copy' });
    expect(await f.keeper.get('uuid-1')).toEqual(await f.keeper.get('p2'));

    const original = ok(await signUpload(open, 'p2'));
    const copy = ok(await signUpload(open, 'uuid-1'));
    expect(new URL(copy.url).searchParams.get('X-Amz-Credential')).toBe('AKIAMEDIA/20240305/us-west-2/s3/aws4_request');
    expect(signatureValid(copy, 'PUT', SECRET2, putHeaders)).toBe(true);
    // Same bucket, key, time and secret: the very same URL.
    expect(copy.url).toBe(original.url);
  });

  it('duplicating twice numbers the copies', async () => {
    const { service } = await twoProfiles();
    expect(ok(await service.duplicateProfile('p1')).name).toBe('work copy');
    expect(ok(await service.duplicateProfile('p1')).name).toBe('work copy 2');
  });

  it('duplicateProfile of an unknown id answers NoSuchProfile', async () => {
    const { service, f } = await twoProfiles();
    expect(failure(await service.duplicateProfile('gone')).code).toBe('NoSuchProfile');
    expect(f.profiles.profiles).toHaveLength(2);
  });

  it('deleteProfile removes the profile and its secrets; the default moves to the first left', async () => {
    const { service, f, open } = await twoProfiles();
    expect(ok(await service.deleteProfile('p1'))).toBeNull();
    expect(f.profiles).toEqual({ profiles: [media], defaultId: 'p2' });
    expect(Object.keys(await f.keeper.all())).toEqual(['p2']);
    expect(JSON.stringify(f.stored)).not.toContain(SECRET1);
    // Uploads without a profile now go to the new default.
    expect(new URL(ok(await signUpload(open)).url).origin).toBe('https://s3.example.com');
    expect(failure(await signUpload(open, 'p1')).code).toBe('NoSuchProfile');
  });

  it('deleting the last profile leaves none and no default', async () => {
    const { service, f } = setup();
    await seedProfile(f, work, { secretAccessKey: SECRET1 });
    ok(await service.deleteProfile('p1'));
    expect(f.profiles).toEqual({ profiles: [], defaultId: null });
    expect(await f.keeper.all()).toEqual({});
  });

  it('deleteProfile of an unknown id answers NoSuchProfile and changes nothing', async () => {
    const { service, f } = await twoProfiles();
    expect(failure(await service.deleteProfile('gone'))).toEqual({ code: 'NoSuchProfile', message: 'That profile does not exist any more.', transient: false });
    expect(f.profiles.profiles).toHaveLength(2);
  });

  it('setDefaultProfile changes which profile requests without an id use', async () => {
    const { service, f, open } = await twoProfiles();
    expect(ok(await service.setDefaultProfile('p2'))).toBeNull();
    expect(f.profiles.defaultId).toBe('p2');
    expect((await service.getSettings()).profile?.id).toBe('p2');
    expect(ok(await open()).bucket).toBe('media-bucket');
  });

  it('setDefaultProfile of an unknown id answers NoSuchProfile and keeps the default', async () => {
    const { service, f } = await twoProfiles();
    expect(failure(await service.setDefaultProfile('gone')).code).toBe('NoSuchProfile');
    expect(f.profiles.defaultId).toBe('p1');
  });
});

describe('getSettings', () => {
  it('lists every profile with whether its secret is saved, and never a secret', async () => {
    const { service, f } = await twoProfiles();
    await seedProfile(f, { ...work, id: 'p3', name: 'empty', bucket: 'empty-bucket' });
    const settings = await service.getSettings();
    expect(settings.profile).toEqual(work);
    expect(settings.defaultId).toBe('p1');
    expect(settings.hasSecret).toBe(true);
    expect(settings.profiles.map((s) => [s.profile.id, s.hasSecret, s.hasSessionToken])).toEqual([
      ['p1', true, false],
      ['p2', true, true],
      ['p3', false, false],
    ]);
    expect(settings.profiles[1]!.accessOrigins).toEqual(['https://s3.example.com/*']);
    expect(settings.security).toEqual({ encrypted: false, locked: false, lockAfterMinutes: 30 });
    const json = JSON.stringify(settings);
    for (const secret of [SECRET1, SECRET2, TOKEN]) expect(json).not.toContain(secret);
  });

  it('describes the asked profile at the top level', async () => {
    const { service } = await twoProfiles();
    const settings = await service.getSettings('p2');
    expect(settings.profile).toEqual(media);
    expect(settings.hasSessionToken).toBe(true);
    expect(settings.defaultId).toBe('p1');
  });

  it('still says which secrets are saved while locked, and still shows none of them', async () => {
    const { service } = await twoProfiles();
    ok(await service.setPassphrase({ next: PASS }));
    await service.lock();
    const settings = await service.getSettings();
    expect(settings.security).toEqual({ encrypted: true, locked: true, lockAfterMinutes: 30 });
    expect(settings.profiles.map((s) => s.hasSecret)).toEqual([true, true]);
    const json = JSON.stringify(settings);
    for (const secret of [SECRET1, SECRET2, TOKEN, PASS]) expect(json).not.toContain(secret);
  });
});

describe('importProfiles', () => {
  it('adds the profiles without secrets, renaming clashes, and reports their names', async () => {
    const { service, f, open } = await twoProfiles();
    const text = exportProfiles([work, { ...media, id: 'x', name: 'archive', bucket: 'archive-bucket' }], NOW);
    expect(await service.importProfiles(text)).toEqual({ imported: 2, names: ['work copy', 'archive'], problems: [] });
    expect(f.profiles.profiles.map((p) => [p.id, p.name])).toEqual([
      ['p1', 'work'],
      ['p2', 'media'],
      ['uuid-1', 'work copy'],
      ['uuid-2', 'archive'],
    ]);
    expect(f.profiles.defaultId).toBe('p1');
    expect(f.profile('uuid-2')).toEqual({ ...media, id: 'uuid-2', name: 'archive', bucket: 'archive-bucket' });
    const settings = await service.getSettings();
    expect(settings.profiles.map((s) => s.hasSecret)).toEqual([true, true, false, false]);
    expect(await f.keeper.get('uuid-1')).toBeNull();
    // An imported profile without its secret cannot sign yet.
    expect(failure(await signUpload(open, 'uuid-1'))).toEqual(NOT_CONFIGURED);
  });

  it('imports nothing when any profile has a problem', async () => {
    const { service, f } = await twoProfiles();
    const text = exportProfiles([{ ...work, name: 'fine' }, { ...media, name: 'x', bucket: 'Bad_Bucket' }], NOW);
    const report = await service.importProfiles(text);
    expect(report.imported).toBe(0);
    expect(report.names).toEqual([]);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatch(/^Profile 2 \("x"\): Bucket — /);
    expect(f.profiles.profiles).toHaveLength(2);
  });

  it('the first import into an empty store sets the default', async () => {
    const { service, f } = setup();
    await service.importProfiles(exportProfiles([work, media], NOW));
    expect(f.profiles.defaultId).toBe('uuid-1');
  });
});

describe('passphrase through the service', () => {
  it('refuses a passphrase shorter than 8 characters', async () => {
    const { service, f } = await twoProfiles();
    expect(failure(await service.setPassphrase({ next: '12345' }))).toEqual({
      code: 'WeakPassphrase',
      message: 'Use a passphrase of at least 8 characters; a few words are easier to remember than symbols.',
      transient: false,
    });
    expect(f.stored?.encryption).toBe('none');
  });

  it('seals the secrets: settings say encrypted and unlocked, storage holds no secret', async () => {
    const { service, f, open } = await twoProfiles();
    expect(ok(await service.setPassphrase({ next: PASS }))).toBeNull();
    expect((await service.getSettings()).security).toEqual({ encrypted: true, locked: false, lockAfterMinutes: 30 });
    const json = JSON.stringify(f.stored);
    for (const secret of [SECRET1, SECRET2, TOKEN]) expect(json).not.toContain(secret);
    // Still signs while unlocked.
    expect(signatureValid(ok(await signUpload(open, 'p2')), 'PUT', SECRET2, putHeaders)).toBe(true);
  });

  it('locked: signing a PUT or a link answers Locked with the unlock fix; unlock wrong, then right', async () => {
    const { service, fetch, open } = await twoProfiles();
    ok(await service.setPassphrase({ next: PASS }));
    await service.lock();
    expect(LOCKED).toEqual({
      code: 'Locked',
      message: 'S3 Drop is locked. Click the S3 Drop button in the toolbar and enter your passphrase; nothing is uploaded until then.',
      fix: { kind: 'unlock' },
      transient: false,
    });
    expect(failure(await signUpload(open, 'p2'))).toEqual(LOCKED);
    expect(failure(await signUpload(open))).toEqual(LOCKED);
    expect(failure(await shareLink(open, 'p2'))).toEqual(LOCKED);

    const wrong = failure(await service.unlock('not the passphrase'));
    expect(wrong).toEqual({
      code: 'WrongPassphrase',
      message: 'That passphrase is not the one the secrets were locked with. Check Caps Lock and try again.',
      transient: false,
    });
    expect((await service.getSettings()).security.locked).toBe(true);
    expect(failure(await signUpload(open, 'p2')).code).toBe('Locked');

    expect(ok(await service.unlock(PASS))).toBeNull();
    expect((await service.getSettings()).security.locked).toBe(false);
    const signed = ok(await signUpload(open, 'p2'));
    expect(signatureValid(signed, 'PUT', SECRET2, putHeaders)).toBe(true);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('saveProfile of an existing profile while locked answers locked and changes nothing', async () => {
    const { service, f } = await twoProfiles();
    ok(await service.setPassphrase({ next: PASS }));
    await service.lock();
    const before = structuredClone({ profiles: f.profiles, stored: f.stored });
    const report = await service.saveProfile({ ...media, secretAccessKey: 'CHANGED', linkExpirySeconds: 60 });
    expect(report).toEqual({ saved: false, id: '', errors: {}, trimmed: [], needsAccess: [], locked: true });
    expect({ profiles: f.profiles, stored: f.stored }).toEqual(before);
  });

  // A new profile has no secrets to read, but saving re-seals the vault: it must answer "locked" up front.
  it('saveProfile of a new profile while locked answers locked and changes nothing', async () => {
    const { service, f } = await twoProfiles();
    ok(await service.setPassphrase({ next: PASS }));
    await service.lock();
    const before = structuredClone({ profiles: f.profiles, stored: f.stored });
    const report = await service.saveProfile(draft({ name: 'third' }));
    expect(report).toEqual({ saved: false, id: '', errors: {}, trimmed: [], needsAccess: [], locked: true });
    expect({ profiles: f.profiles, stored: f.stored }).toEqual(before);
  });

  it('duplicateProfile while locked answers Locked and changes nothing', async () => {
    const { service, f } = await twoProfiles();
    ok(await service.setPassphrase({ next: PASS }));
    await service.lock();
    const before = structuredClone({ profiles: f.profiles, stored: f.stored });
    expect(failure(await service.duplicateProfile('p2'))).toEqual(LOCKED);
    expect({ profiles: f.profiles, stored: f.stored }).toEqual(before);
  });

  it('deleteProfile works while locked (the profile goes; its sealed secrets cannot be reached)', async () => {
    const { service, f, open } = await twoProfiles();
    ok(await service.setPassphrase({ next: PASS }));
    await service.lock();
    ok(await service.deleteProfile('p2'));
    expect(f.profiles).toEqual({ profiles: [work], defaultId: 'p1' });
    expect(failure(await signUpload(open, 'p2')).code).toBe('NoSuchProfile');
  });

  it('changing the passphrase needs the current one; removing it brings the secrets back in the clear', async () => {
    const { service, f } = await twoProfiles();
    ok(await service.setPassphrase({ next: PASS }));
    expect(failure(await service.setPassphrase({ next: 'another long passphrase', current: 'wrong one!' })).code).toBe('WrongPassphrase');
    expect(failure(await service.setPassphrase({ next: 'another long passphrase' })).code).toBe('WrongPassphrase');
    ok(await service.setPassphrase({ next: 'another long passphrase', current: PASS }));
    await service.lock();
    expect(failure(await service.unlock(PASS)).code).toBe('WrongPassphrase');
    expect(failure(await service.removePassphrase(PASS)).code).toBe('WrongPassphrase');
    ok(await service.removePassphrase('another long passphrase'));
    expect((await service.getSettings()).security).toEqual({ encrypted: false, locked: false, lockAfterMinutes: 30 });
    expect(f.stored).toEqual({
      encryption: 'none',
      byProfile: {
        p1: { secretAccessKey: SECRET1, sessionToken: '' },
        p2: { secretAccessKey: SECRET2, sessionToken: TOKEN },
      },
    });
  });

  it('setLockAfter takes whole minutes from 0 to 1440', async () => {
    const { service, f } = setup();
    const refused = {
      code: 'InvalidSettings',
      message: 'Lock after a whole number of minutes from 0 (only when the browser closes) to 1440.',
      transient: false,
    };
    expect(failure(await service.setLockAfter(-1))).toEqual(refused);
    expect(failure(await service.setLockAfter(1441))).toEqual(refused);
    expect(failure(await service.setLockAfter(2.5))).toEqual(refused);
    expect(f.lockAfterMinutes).toBe(30);
    expect(ok(await service.setLockAfter(0))).toBeNull();
    expect(f.lockAfterMinutes).toBe(0);
    expect((await service.getSettings()).security.lockAfterMinutes).toBe(0);
    ok(await service.setLockAfter(1440));
    expect(f.lockAfterMinutes).toBe(1440);
  });
});

describe('secrets of a profile deleted while locked', () => {
  it('are dropped at the next unlock, and never written out in the clear by removing the passphrase', async () => {
    const { service, f } = await twoProfiles();
    ok(await service.setPassphrase({ next: PASS }));
    await service.lock();
    ok(await service.deleteProfile('p2'));
    ok(await service.unlock(PASS));
    expect(Object.keys(await f.keeper.all())).toEqual(['p1']);
    ok(await service.removePassphrase(PASS));
    expect(f.stored).toEqual({ encryption: 'none', byProfile: { p1: expect.any(Object) } });
  });
});
