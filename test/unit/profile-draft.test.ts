import { describe, expect, it } from 'vitest';
import { createConnectionTest } from '../../src/background/connection-service';
import { createService } from '../../src/background/service';
import type { ProfileSummary, SaveReport } from '../../src/messaging/protocol';
import type { KeysProfile, PresignServiceProfile, ProfileDraft, Secrets } from '../../src/settings/profile';
import {
  draftOf,
  editorReducer,
  initialEditorState,
  liveProblems,
  refusalInPage,
  testRefusalInPage,
  unchangedSince,
  type EditorAction,
  type EditorState,
} from '../../src/ui/profile-editor/draft';
import { fakeServiceDeps, fakeSettings, seedProfile } from '../support/fake-settings';

/** The options page's profile editor, as a sequence of what the user and the background do. */
const run = (state: EditorState, ...actions: EditorAction[]) => actions.reduce(editorReducer, state);

const KEYS: KeysProfile = {
  kind: 'keys',
  id: 'p1',
  name: 'Photos',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  bucket: 'holiday-photos',
  region: 'eu-west-1',
  endpoint: '',
  forcePathStyle: false,
  keyTemplate: '{yyyy}/{mm}/{uuid}-{name}',
  linkExpirySeconds: 3 * 3600,
};
const SERVICE: PresignServiceProfile = {
  kind: 'presign-service',
  id: 'p2',
  name: 'Team files',
  accessKeyId: '',
  serviceUrl: 'https://files.example.com',
  serviceAuth: 'bearer',
  serviceAuthHeader: '',
  bucket: '',
  region: '',
  endpoint: '',
  forcePathStyle: true,
  keyTemplate: 'drop/{uuid}-{name}',
  linkExpirySeconds: 3600,
};
const summary = (profile: KeysProfile | PresignServiceProfile, hasSecret: boolean, hasSessionToken = false): ProfileSummary => ({
  profile,
  hasSecret,
  hasSessionToken,
  capabilities: { multipart: profile.kind === 'keys', delete: profile.kind === 'keys' },
  accessOrigins: [],
});
const report = (over: Partial<SaveReport>): SaveReport => ({ saved: true, id: 'new-id', errors: {}, trimmed: [], needsAccess: [], ...over });

describe('the profile editor starts', () => {
  it('empty for a new profile: own keys, nothing stored, a day-long preset expiry', () => {
    const state = initialEditorState(null);
    expect(state).toMatchObject({ kind: 'keys', id: '', customExpiry: false, busy: false, status: null, errors: {} });
    expect(state.stored).toEqual({ secretAccessKey: false, sessionToken: false, serviceToken: false });
    expect(state.uploads).toEqual({ name: '', keyTemplate: '{yyyy}/{mm}/{dd}/{uuid}-{name}', linkExpirySeconds: 86_400 });
    expect(draftOf(state)).toMatchObject({ kind: 'keys', bucket: '', secretAccessKey: '', sessionToken: '' });
  });

  it('from a saved keys profile: which secrets are stored, and an expiry no preset has shown as Custom… 3 hours', () => {
    const state = initialEditorState(summary(KEYS, true, true));
    expect(state.stored).toEqual({ secretAccessKey: true, sessionToken: true, serviceToken: false });
    expect(state).toMatchObject({ customExpiry: true, expiryAmount: '3', expiryUnit: 'hours', id: 'p1' });
    expect(draftOf(state)).toEqual({ ...KEYS, secretAccessKey: '', sessionToken: '' });
  });

  it('from a service that wants no token: no token counts as stored', () => {
    expect(initialEditorState(summary({ ...SERVICE, serviceAuth: 'none' }, true)).stored.serviceToken).toBe(false);
    expect(initialEditorState(summary(SERVICE, true)).stored).toEqual({ secretAccessKey: false, sessionToken: false, serviceToken: true });
  });
});

describe('typing', () => {
  it('goes to the chosen kind; switching kind and back loses nothing, and the name and template are shared', () => {
    const state = run(
      initialEditorState(null),
      { type: 'set', field: 'bucket', value: 'mine' },
      { type: 'set', field: 'name', value: 'Work' },
      { type: 'kind', kind: 'presign-service' },
      { type: 'set', field: 'bucket', value: 'theirs' },
      { type: 'set', field: 'serviceUrl', value: 'https://files.example.com' },
      { type: 'set', field: 'serviceToken', value: 'tok' },
    );
    expect(draftOf(state)).toMatchObject({ kind: 'presign-service', bucket: 'theirs', name: 'Work', serviceUrl: 'https://files.example.com', serviceToken: 'tok' });
    const back = editorReducer(state, { type: 'kind', kind: 'keys' });
    expect(draftOf(back)).toMatchObject({ kind: 'keys', bucket: 'mine', name: 'Work' });
    expect(draftOf(back)).not.toHaveProperty('serviceToken');
  });

  it("clears that field's refusal only; choosing a kind clears all of them and the report", () => {
    const refused = run(initialEditorState(null), {
      type: 'saved',
      sent: draftOf(initialEditorState(null)),
      report: report({ saved: false, id: '', errors: { bucket: 'Enter the bucket name.', accessKeyId: 'Enter the access key ID.' } }),
    });
    const typed = editorReducer(refused, { type: 'set', field: 'bucket', value: 'b' });
    expect(typed.errors.bucket).toBeUndefined();
    expect(typed.errors.accessKeyId).toBe('Enter the access key ID.');
    expect(typed.status?.text).toBe('Not saved: fix the fields marked in red above.');
    const switched = editorReducer(typed, { type: 'kind', kind: 'presign-service' });
    expect(switched.errors).toEqual({});
    expect(switched.status).toBeNull();
  });
});

describe('the link expiry', () => {
  it('Custom… starts from the amount and unit shown, and follows what is typed; a preset leaves Custom…', () => {
    let state = run(initialEditorState(null), { type: 'expiryChoice', value: 'custom' });
    expect(state).toMatchObject({ customExpiry: true, expiryAmount: '1', expiryUnit: 'days' });
    expect(state.uploads.linkExpirySeconds).toBe(86_400);
    state = run(state, { type: 'expiryAmount', text: '90' }, { type: 'expiryUnit', unit: 'minutes' });
    expect(state.uploads.linkExpirySeconds).toBe(5400);
    expect(liveProblems(state)).toEqual({});
    state = editorReducer(state, { type: 'expiryChoice', value: '3600' });
    expect(state).toMatchObject({ customExpiry: false, uploads: { linkExpirySeconds: 3600 } });
  });

  it('says what is wrong with a custom amount while it is typed', () => {
    const custom = run(initialEditorState(null), { type: 'expiryChoice', value: 'custom' });
    const with_ = (text: string, unit: 'minutes' | 'days' = 'minutes') => liveProblems(run(custom, { type: 'expiryUnit', unit }, { type: 'expiryAmount', text })).linkExpirySeconds;
    expect(with_('')).toBe('Enter how long links live: a number above 0.');
    expect(with_('-2')).toBe('Enter how long links live: a number above 0.');
    expect(with_('0.001')).toBe('Use a whole number of seconds: try fewer decimals, or a smaller unit.');
    expect(with_('8', 'days')).toBe('Share links can live at most 7 days (an S3 signature limit).');
    expect(with_('1.5')).toBeUndefined();
  });
});

describe('a custom link address', () => {
  it('is not called wrong while it is untouched, but is once typed', () => {
    const custom = run(initialEditorState(null), { type: 'set', field: 'linkMode', value: 'custom' });
    expect(liveProblems(custom).linkBaseUrl).toBeUndefined();
    expect(liveProblems(run(custom, { type: 'set', field: 'linkBaseUrl', value: 'ftp://cdn' })).linkBaseUrl).toBeTruthy();
    expect(liveProblems(run(custom, { type: 'set', field: 'linkBaseUrl', value: 'https://cdn.example.com/{key}' })).linkBaseUrl).toBeUndefined();
    // A presign service only makes signed links: a custom mode left in the keys draft does not count.
    expect(liveProblems(run(custom, { type: 'set', field: 'linkBaseUrl', value: 'ftp://cdn' }, { type: 'kind', kind: 'presign-service' }))).toEqual({});
  });
});

describe('Save', () => {
  it('of new keys: the secrets are stored and the fields emptied, the empty name becomes the bucket, the detected region is filled in', () => {
    const typed = run(
      initialEditorState(null),
      { type: 'set', field: 'bucket', value: 'holiday-photos' },
      { type: 'set', field: 'secretAccessKey', value: 'wJalrXUtnFEMI' },
      { type: 'set', field: 'sessionToken', value: 'FwoGZXIvYXdz' },
      { type: 'asking' },
      { type: 'saving' },
    );
    expect(typed.busy).toBe(true);
    const state = run(
      typed,
      { type: 'saved', sent: draftOf(typed), report: report({ detectedRegion: 'eu-central-1', trimmed: ['bucket'] }) },
      { type: 'idle' },
    );
    expect(state.stored).toEqual({ secretAccessKey: true, sessionToken: true, serviceToken: false });
    expect(state.secrets).toEqual({ secretAccessKey: '', sessionToken: '', serviceToken: '' });
    expect(state).toMatchObject({ id: 'new-id', busy: false, uploads: { name: 'holiday-photos' }, keys: { region: 'eu-central-1' } });
    expect(state.status).toEqual({ tone: 'good', text: 'Saved. Detected region eu-central-1. Removed spaces around: Bucket.' });
  });

  it('a token typed alone joins the stored key; a new key without a token replaces the stored token', () => {
    const saved = initialEditorState(summary({ ...KEYS, linkExpirySeconds: 3600 }, true, false));
    const tokenOnly = run(saved, { type: 'set', field: 'sessionToken', value: 'FwoG' });
    expect(run(tokenOnly, { type: 'saved', sent: draftOf(tokenOnly), report: report({ id: 'p1' }) }).stored).toEqual({
      secretAccessKey: true,
      sessionToken: true,
      serviceToken: false,
    });
    const withToken = initialEditorState(summary(KEYS, true, true));
    const newKey = run(withToken, { type: 'set', field: 'secretAccessKey', value: 'other' });
    expect(run(newKey, { type: 'saved', sent: draftOf(newKey), report: report({ id: 'p1' }) }).stored.sessionToken).toBe(false);
    // Nothing typed: what was stored stays stored.
    expect(run(withToken, { type: 'saved', sent: draftOf(withToken), report: report({ id: 'p1' }) }).stored).toEqual(withToken.stored);
  });

  it('of a service whose address changed: the token is gone, its field says so, and the report ends with what to do', () => {
    const start = initialEditorState(summary(SERVICE, true));
    const moved = run(start, { type: 'set', field: 'serviceUrl', value: 'https://other.example.org' }, { type: 'set', field: 'name', value: '' });
    const state = editorReducer(moved, {
      type: 'saved',
      sent: draftOf(moved),
      report: report({ id: 'p2', tokenDropped: true, s3Origin: 'https://s3.eu-west-1.amazonaws.com', needsAccess: ['https://other.example.org/*'] }),
    });
    expect(state.stored).toEqual({ secretAccessKey: false, sessionToken: false, serviceToken: false });
    expect(state.errors.serviceToken).toBe(
      "The service's address or the way the token is sent changed, and S3 Drop never sends a saved token anywhere new: enter the token again.",
    );
    expect(state.service).toMatchObject({ endpoint: 'https://s3.eu-west-1.amazonaws.com', forcePathStyle: true });
    expect(state.uploads.name).toBe('other.example.org');
    expect(state.status?.tone).toBe('bad');
    expect(state.status?.grant).toEqual(['https://other.example.org/*']);
    expect(state.status?.after).toBe('save');
    expect(state.status?.text).toMatch(
      /^Saved\. Uploads go to S3 on s3\.eu-west-1\.amazonaws\.com\. S3 Drop still needs your permission to reach other\.example\.org\. The saved token was removed, /,
    );
  });

  it('of a service with a token typed: the token counts as stored, and the keys that were stored do not', () => {
    const start = initialEditorState(summary(KEYS, true, true));
    const typed = run(
      start,
      { type: 'kind', kind: 'presign-service' },
      { type: 'set', field: 'serviceUrl', value: 'https://files.example.com' },
      { type: 'set', field: 'serviceToken', value: 'tok' },
    );
    const state = editorReducer(typed, { type: 'saved', sent: draftOf(typed), report: report({ id: 'p1' }) });
    expect(state.stored).toEqual({ secretAccessKey: false, sessionToken: false, serviceToken: true });
    expect(state.secrets.serviceToken).toBe('');
    expect(state.uploads.name).toBe('Photos');
    expect(state.status).toEqual({ tone: 'good', text: 'Saved.' });
  });

  it('refused or locked: the typed secrets stay, and the report says why', () => {
    const typed = run(initialEditorState(null), { type: 'set', field: 'secretAccessKey', value: 's' });
    const locked = editorReducer(typed, { type: 'saved', sent: draftOf(typed), report: report({ saved: false, id: '', locked: true }) });
    expect(locked.status).toEqual({ tone: 'bad', text: 'Not saved: S3 Drop is locked. Enter your passphrase above, then Save again.' });
    expect(locked.secrets.secretAccessKey).toBe('s');
    expect(locked.id).toBe('');
  });
});

describe('Save checks the draft in the page before the browser is asked for access', () => {
  type Saved = { profile: KeysProfile | PresignServiceProfile; secrets: Partial<Secrets> };

  /** What the real background answers to this draft, holding these profiles (no origin granted, so it fetches nothing). */
  async function backgroundAnswer(saved: Saved[], sent: ProfileDraft): Promise<SaveReport> {
    const f = fakeSettings();
    for (const { profile, secrets } of saved) await seedProfile(f, profile, secrets);
    const service = createService(fakeServiceDeps(f, { now: () => new Date('2024-03-05T07:08:09Z'), granted: [] }).deps);
    return service.saveProfile(sent);
  }

  /** The page's answer and the background's, for the editor of `editing` (or a new profile) after these actions. */
  async function bothAnswers(saved: Saved[], editing: Saved | null, ...actions: EditorAction[]) {
    const start = initialEditorState(editing ? summary(editing.profile, Boolean(editing.secrets.secretAccessKey || editing.secrets.serviceToken)) : null);
    const state = run(start, ...actions);
    const page = refusalInPage(state, saved.map((s) => s.profile));
    const background = await backgroundAnswer(saved, draftOf(state));
    return { state, page, background };
  }

  const newKeys: EditorAction[] = [
    { type: 'set', field: 'accessKeyId', value: 'AKIAIOSFODNN7EXAMPLE' },
    { type: 'set', field: 'secretAccessKey', value: 'wJalrXUtnFEMI/K7MDENG' },
    { type: 'set', field: 'region', value: 'eu-west-1' },
  ];
  const photos: Saved = { profile: KEYS, secrets: { secretAccessKey: 'wJalrXUtnFEMI/K7MDENG' } };
  const team: Saved = { profile: SERVICE, secrets: { serviceToken: 'tok-123' } };

  it('a bucket name with capitals and an underscore: refused with the bucket sentence, as the background refuses it', async () => {
    const { state, page, background } = await bothAnswers([], null, ...newKeys, { type: 'set', field: 'bucket', value: 'My_Bucket' });
    expect(page).toEqual({
      saved: false,
      id: '',
      errors: { bucket: 'A bucket name uses lowercase letters, digits, dots and hyphens, and starts and ends with a letter or digit.' },
      trimmed: [],
      needsAccess: [],
    });
    expect(background).toEqual(page);
    // The form shows it as it shows the background's refusal.
    const shown = editorReducer(state, { type: 'saved', sent: draftOf(state), report: page! });
    expect(shown.errors.bucket).toBe(page!.errors.bucket);
    expect(shown.status).toEqual({ tone: 'bad', text: 'Not saved: fix the fields marked in red above.' });
    expect(shown.secrets.secretAccessKey).toBe('wJalrXUtnFEMI/K7MDENG');
  });

  it('every refusal the background makes from the form alone, the page makes first, word for word', async () => {
    const cases: [string, Saved[], Saved | null, EditorAction[]][] = [
      ['a region typo, pasted with spaces', [], null, [...newKeys, { type: 'set', field: 'bucket', value: 'holiday-photos' }, { type: 'set', field: 'region', value: ' eu-west1 ' }]],
      ['no secret typed and none stored', [], null, [{ type: 'set', field: 'accessKeyId', value: 'AKIA' }, { type: 'set', field: 'bucket', value: 'holiday-photos' }]],
      ['a name another profile has, in other case', [photos], null, [...newKeys, { type: 'set', field: 'bucket', value: 'other-bucket' }, { type: 'set', field: 'name', value: 'PHOTOS' }]],
      ['an empty name that becomes a bucket another profile is named after', [{ ...photos, profile: { ...KEYS, name: 'media-bucket' } }], null, [...newKeys, { type: 'set', field: 'bucket', value: 'media-bucket' }]],
      ['a service address that is not a URL', [], null, [{ type: 'kind', kind: 'presign-service' }, { type: 'set', field: 'serviceUrl', value: 'files example com' }, { type: 'set', field: 'serviceToken', value: 't' }]],
      ['a service that wants a token, with none', [], null, [{ type: 'kind', kind: 'presign-service' }, { type: 'set', field: 'serviceUrl', value: 'https://files.example.com' }]],
    ];
    for (const [what, saved, editing, actions] of cases) {
      const { page, background } = await bothAnswers(saved, editing, ...actions);
      expect(background.saved, what).toBe(false);
      expect(Object.keys(background.errors).length, what).toBeGreaterThan(0);
      expect(page, what).toEqual(background);
    }
  });

  it('lets through what the background saves: a stored secret or token counts, and a profile keeps its own name', async () => {
    const cases: [string, Saved[], Saved | null, EditorAction[]][] = [
      ['a saved profile, secret stored, bucket changed', [photos], photos, [{ type: 'set', field: 'bucket', value: 'other-bucket' }]],
      ['its own name, in other case', [photos], photos, [{ type: 'set', field: 'name', value: 'photos' }]],
      ['a service moved elsewhere: the stored token is dropped, which is no mistake in the form', [team], team, [{ type: 'set', field: 'serviceUrl', value: 'https://other.example.org' }]],
      ['new keys with everything typed', [photos], null, [...newKeys, { type: 'set', field: 'bucket', value: 'fresh-bucket' }]],
    ];
    for (const [what, saved, editing, actions] of cases) {
      const { page, background } = await bothAnswers(saved, editing, ...actions);
      expect(background.errors, what).toEqual({});
      expect(background.saved, what).toBe(true);
      expect(page, what).toBeNull();
    }
  });
});

describe('Test connection', () => {
  it('shows a busy report, then offers the region the bucket answered in when it differs', () => {
    const state = initialEditorState(summary(KEYS, true));
    const testing = run(state, { type: 'asking' }, { type: 'testing' });
    expect(testing).toMatchObject({ busy: true, status: { tone: 'info', text: 'Testing the connection…' } });
    const other = editorReducer(testing, { type: 'tested', sent: draftOf(state), report: { ok: false, message: 'Wrong region.', detectedRegion: 'us-east-2' } });
    expect(other.status).toEqual({ tone: 'bad', text: 'Wrong region.', useRegion: 'us-east-2' });
    const same = editorReducer(testing, { type: 'tested', sent: draftOf(state), report: { ok: true, message: 'It works.', detectedRegion: 'eu-west-1' } });
    expect(same.status).toEqual({ tone: 'good', text: 'It works.' });
    const used = run(other, { type: 'regionChosen', region: 'us-east-2' }, { type: 'regionSet', region: 'us-east-2' });
    expect(used.keys.region).toBe('us-east-2');
    expect(used.status).toEqual({ tone: 'info', text: 'Region set to us-east-2. Save to keep it.' });
  });

  it("of a service: learns its S3 host and region, and offers access to what it still needs", () => {
    const state = initialEditorState(summary(SERVICE, true));
    const tested = editorReducer(state, {
      type: 'tested',
      sent: draftOf(state),
      report: { ok: false, message: 'No access yet.', s3Origin: 'https://minio.example.net:9000', region: 'us-west-2', needsAccess: ['https://minio.example.net/*'] },
    });
    expect(tested.service).toMatchObject({ endpoint: 'https://minio.example.net:9000', region: 'us-west-2', forcePathStyle: true });
    expect(tested.status).toEqual({ tone: 'bad', text: 'No access yet.', grant: ['https://minio.example.net/*'], after: 'test' });
    expect(editorReducer(tested, { type: 'granted', origins: ['https://minio.example.net/*'], after: 'test' }).status).toEqual({
      tone: 'good',
      text: "S3 Drop can reach minio.example.net now. Press Check my bucket to check that S3 takes the service's URLs, then Save.",
    });
  });

  it('says which hosts were refused, in the words of the kind', () => {
    const origins = ['http://127.0.0.1:9000/*'];
    const keys = initialEditorState(null);
    expect(editorReducer(keys, { type: 'testRefused', sent: draftOf(keys), origins }).status?.text).toBe(
      'S3 Drop needs access to 127.0.0.1:9000 to reach the bucket. Press Check my bucket again and allow it.',
    );
    const service = initialEditorState(summary(SERVICE, true));
    expect(editorReducer(service, { type: 'testRefused', sent: draftOf(service), origins }).status?.text).toBe(
      'S3 Drop needs access to 127.0.0.1:9000 to reach the presign service. Press Check my bucket again and allow it.',
    );
    expect(editorReducer(service, { type: 'grantRefused', origins, after: 'save' }).status).toEqual({
      tone: 'bad',
      text: 'Access was not granted: uploads cannot reach 127.0.0.1:9000 until you allow it.',
      grant: origins,
      after: 'save',
    });
    expect(editorReducer(keys, { type: 'granted', origins, after: 'save' }).status?.text).toBe('Saved. S3 Drop can reach the bucket now.');
  });
});

describe('Test connection checks the addresses in the page before the browser is asked for access', () => {
  /** What the real background answers (no origin granted, so it fetches nothing). */
  async function backgroundTest(saved: KeysProfile | null, sent: ProfileDraft) {
    const f = fakeSettings();
    if (saved) await seedProfile(f, saved, { secretAccessKey: 'wJalrXUtnFEMI/K7MDENG' });
    return createConnectionTest(fakeServiceDeps(f, { now: () => new Date('2024-03-05T07:08:09Z'), granted: [] }).deps)(sent);
  }

  it('a bucket name that cannot be right: the same sentence as the background, with no host asked for', async () => {
    const state = run(
      initialEditorState(null),
      { type: 'set', field: 'bucket', value: 'My_Bucket' },
      { type: 'set', field: 'region', value: 'eu-west-1' },
      { type: 'set', field: 'accessKeyId', value: 'AKIAIOSFODNN7EXAMPLE' },
      { type: 'set', field: 'secretAccessKey', value: 'wJalrXUtnFEMI/K7MDENG' },
    );
    const page = testRefusalInPage(state);
    const background = await backgroundTest(null, draftOf(state));
    expect(page).toEqual({ ok: false, message: background.message, error: background.error });
    expect(page?.message).toMatch(/^A bucket name uses lowercase letters/);
  });

  it("a secret left empty is the background's to judge: it fills in the saved one, which the page never sees", async () => {
    const state = run(initialEditorState(summary(KEYS, true)), { type: 'set', field: 'region', value: 'eu-west-1' });
    expect(testRefusalInPage(state)).toBeNull();
    // Nor does a valid draft stop in the page.
    expect(testRefusalInPage(run(initialEditorState(summary(KEYS, true))))).toBeNull();
  });
});

describe('Check my bucket checks the whole bucket only for the saved profile as it is', () => {
  it('unchanged: a saved profile, keys or service, just opened', () => {
    expect(unchangedSince(initialEditorState(summary(KEYS, true)), KEYS)).toBe(true);
    expect(unchangedSince(initialEditorState(summary({ ...KEYS, autoDeleteDays: 30 }, true)), { ...KEYS, autoDeleteDays: 30 })).toBe(true);
    expect(unchangedSince(initialEditorState(summary(SERVICE, true)), SERVICE)).toBe(true);
  });

  it('changed: a field edited, a secret typed, another kind chosen, or a profile never saved', () => {
    const start = initialEditorState(summary(KEYS, true));
    expect(unchangedSince(run(start, { type: 'set', field: 'bucket', value: 'other-bucket' }), KEYS)).toBe(false);
    expect(unchangedSince(run(start, { type: 'set', field: 'autoDeleteDays', value: 7 }), KEYS)).toBe(false);
    expect(unchangedSince(run(start, { type: 'set', field: 'secretAccessKey', value: 'typed' }), KEYS)).toBe(false);
    expect(unchangedSince(run(start, { type: 'kind', kind: 'presign-service' }), KEYS)).toBe(false);
    expect(unchangedSince(initialEditorState(null), null)).toBe(false);
    // Typed back to what was saved: unchanged again. Spaces pasted around a value are what Save would trim.
    expect(unchangedSince(run(start, { type: 'set', field: 'bucket', value: 'x' }, { type: 'set', field: 'bucket', value: ' holiday-photos ' }), KEYS)).toBe(true);
  });

  it('a profile just saved, its secret cleared from the form, is unchanged', () => {
    const typed = run(initialEditorState(summary(KEYS, false)), { type: 'set', field: 'secretAccessKey', value: 'wJalrXUtnFEMI/K7MDENG' });
    const saved = run(typed, { type: 'saved', sent: draftOf(typed), report: report({ id: 'p1' }) });
    expect(unchangedSince(saved, KEYS)).toBe(true);
  });

  it('after a good connection test of a changed form, the report says the rest needs a Save', () => {
    const state = run(initialEditorState(null), {
      type: 'tested',
      sent: draftOf(initialEditorState(null)),
      report: { ok: true, message: 'Connected: bucket "b" accepts these keys.' },
      note: 'Save the profile to check the rest.',
    });
    expect(state.status).toMatchObject({ tone: 'good', text: 'Connected: bucket "b" accepts these keys.', note: 'Save the profile to check the rest.' });
  });
});
