import { describe, expect, it } from 'vitest';
import {
  EMPTY_PROFILE,
  EMPTY_SERVICE_PROFILE,
  type KeysDraft,
  type KeysProfile,
  type PresignServiceDraft,
  type PresignServiceProfile,
  type Profile,
  type ProfileKind,
} from '../../src/settings/profile';
import {
  accessOrigins,
  capabilitiesOf,
  connectionBlockingFields,
  credentialsExpireAt,
  defaultProfileName,
  fieldsOfKind,
  isProfileKind,
  linkModeOf,
  listLabel,
  normalizeDraft,
  PROFILE_KINDS,
  secretReady,
  signerOf,
  splitDraft,
  storageUrls,
  usesSessionToken,
  validateDraft,
} from '../../src/settings/profile-kinds';

/** Temporary AWS keys, with a public-link bucket: every keys-only field set. */
const keys: KeysProfile = {
  ...EMPTY_PROFILE,
  id: 'k1',
  name: 'photos',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  bucket: 'photos',
  region: 'eu-west-1',
  sessionTokenExpiration: '2030-01-02T03:04:05Z',
  linkMode: 'public',
};
/** A team's service that wants a bearer token, whose URLs were seen pointing at a regional S3 host. */
const service: PresignServiceProfile = {
  ...EMPTY_SERVICE_PROFILE,
  id: 's1',
  name: 'team',
  serviceUrl: 'https://presign.corp.example:8443/files',
  endpoint: 'https://s3.eu-central-1.amazonaws.com',
  region: 'eu-central-1',
};
/** One example of each kind: a new kind fails to compile here until it has one. */
const EXAMPLES: Record<ProfileKind, Profile> = { keys, 'presign-service': service };

describe('the kinds of profile', () => {
  it('are own keys and a presign service, and nothing else read from a file is one', () => {
    expect(PROFILE_KINDS).toEqual(['keys', 'presign-service']);
    expect(isProfileKind('keys')).toBe(true);
    expect(isProfileKind('presign-service')).toBe(true);
    for (const other of ['sts', 'Keys', '', 'toString', 'constructor', undefined, null, 1, {}]) expect(isProfileKind(other), String(other)).toBe(false);
  });

  it('every trait answers for every kind', () => {
    for (const kind of PROFILE_KINDS) {
      const profile = EXAMPLES[kind];
      expect(() => [
        linkModeOf(profile),
        capabilitiesOf(profile),
        accessOrigins(profile),
        storageUrls(profile),
        secretReady(profile, false),
        usesSessionToken(profile),
        signerOf(profile),
        credentialsExpireAt(profile),
        listLabel(profile),
        defaultProfileName(profile),
        fieldsOfKind(kind),
        connectionBlockingFields(profile),
        normalizeDraft(profile),
        validateDraft(profile, { hasSavedSecret: true }),
        splitDraft(profile),
      ], kind).not.toThrow();
    }
  });

  it('a value claiming a kind that does not exist is refused loudly, not taken for keys', () => {
    const stray = { ...keys, kind: 'sts' } as unknown as Profile;
    expect(() => linkModeOf(stray)).toThrow('Not a kind of profile: sts');
    expect(() => capabilitiesOf(stray)).toThrow(TypeError);
    // Inherited names are not kinds either.
    expect(() => listLabel({ ...keys, kind: 'toString' } as unknown as Profile)).toThrow(TypeError);
  });
});

describe('what a kind can do and where it reaches', () => {
  it('link mode: keys use the one chosen (presigned when none was); a service only ever signs GETs', () => {
    expect(linkModeOf(keys)).toBe('public');
    expect(linkModeOf({ ...keys, linkMode: 'custom' })).toBe('custom');
    expect(linkModeOf({ ...keys, linkMode: undefined })).toBe('presigned');
    expect(linkModeOf({ ...service, linkMode: 'public' } as never)).toBe('presigned');
  });

  it('capabilities: keys upload in parts and delete; a service does neither; no profile holds nothing back', () => {
    expect(capabilitiesOf(keys)).toEqual({ multipart: true, delete: true });
    expect(capabilitiesOf(service)).toEqual({ multipart: false, delete: false });
    expect(capabilitiesOf(null)).toEqual({ multipart: true, delete: true });
  });

  it('access: keys need the bucket; a service needs itself and the S3 host its URLs point at, without ports', () => {
    expect(accessOrigins(keys)).toEqual(['https://photos.s3.eu-west-1.amazonaws.com/*']);
    expect(accessOrigins(service)).toEqual(['https://presign.corp.example/*', 'https://s3.eu-central-1.amazonaws.com/*']);
    expect(accessOrigins({ ...service, endpoint: '' })).toEqual(['https://presign.corp.example/*']);
    expect(accessOrigins({ ...service, serviceUrl: 'not a url', endpoint: '' })).toEqual([]);
  });

  it('storage: keys live at the bucket, the regional endpoint and the region probe; a service at itself and its S3 host', () => {
    expect(storageUrls(keys).map(String)).toEqual([
      'https://photos.s3.eu-west-1.amazonaws.com',
      'https://s3.eu-west-1.amazonaws.com',
      'https://photos.s3.amazonaws.com/',
    ]);
    expect(storageUrls({ ...keys, bucket: '' })).toEqual([]);
    expect(storageUrls({ ...keys, endpoint: 'not a url' })).toEqual([]);
    expect(storageUrls(service)).toEqual(['https://presign.corp.example:8443/files', 'https://s3.eu-central-1.amazonaws.com']);
    expect(storageUrls({ ...service, endpoint: '' })).toEqual(['https://presign.corp.example:8443/files']);
  });
});

describe('secrets, as far as a page may know them', () => {
  it('ready: keys only with their secret; a service with its token, or with none when it wants none', () => {
    expect(secretReady(keys, true)).toBe(true);
    expect(secretReady(keys, false)).toBe(false);
    expect(secretReady(service, true)).toBe(true);
    expect(secretReady(service, false)).toBe(false);
    expect(secretReady({ ...service, serviceAuth: 'header', serviceAuthHeader: 'X-API-Key' }, false)).toBe(false);
    expect(secretReady({ ...service, serviceAuth: 'none' }, false)).toBe(true);
  });

  it('S3 Drop signs a keys profile’s URLs; a service signs its own', () => {
    expect(signerOf(keys)).toBe('extension');
    expect(signerOf(service)).toBe('service');
  });

  it('session tokens belong to keys only', () => {
    expect(usesSessionToken(keys)).toBe(true);
    expect(usesSessionToken(service)).toBe(false);
  });

  it('credentials end when the user said keys do; a service’s are its own business', () => {
    expect(credentialsExpireAt(keys)).toBe('2030-01-02T03:04:05Z');
    expect(credentialsExpireAt({ ...keys, sessionTokenExpiration: undefined })).toBeUndefined();
    // Even a stray field on a service profile says nothing about links.
    expect(credentialsExpireAt({ ...service, sessionTokenExpiration: '2030-01-02T03:04:05Z' } as never)).toBeUndefined();
  });
});

describe('words', () => {
  it('the options list shows the bucket, or that a service signs', () => {
    expect(listLabel(keys)).toBe('photos');
    expect(listLabel(service)).toBe('presign service');
    // A service's bucket, when it wants one, is not what the list shows.
    expect(listLabel({ ...service, bucket: 'team-bucket' })).toBe('presign service');
  });

  it('an unnamed profile is called by its bucket, else its service’s host, else a plain name', () => {
    expect(defaultProfileName({ ...keys, bucket: 'photos' })).toBe('photos');
    expect(defaultProfileName({ ...keys, bucket: '' })).toBe('My bucket');
    expect(defaultProfileName({ ...service, bucket: '' })).toBe('presign.corp.example:8443');
    expect(defaultProfileName({ ...service, bucket: 'team-bucket' })).toBe('team-bucket');
    expect(defaultProfileName({ ...service, bucket: '', serviceUrl: 'not a url' })).toBe('My bucket');
    expect(defaultProfileName({ ...service, bucket: '', serviceUrl: '' })).toBe('My bucket');
  });
});

describe('drafts', () => {
  it('an import file’s fields: each kind’s empty profile, and the fields keys have only sometimes', () => {
    expect(fieldsOfKind('keys')).toEqual({
      empty: EMPTY_PROFILE,
      optional: [
        'multipartThresholdMiB',
        'sessionTokenExpiration',
        'linkDisposition',
        'linkMode',
        'linkBaseUrl',
        'autoDeleteDays',
        'linkFormat',
        'linkTemplate',
        'photoPrivacy',
        'imageFormat',
        'imageMaxSize',
        'imageQuality',
        'editCaptures',
      ],
    });
    // Link forms, a photo's metadata, the image settings and editing captures first are about the link and the bytes, not who signs: both kinds have them.
    expect(fieldsOfKind('presign-service')).toEqual({
      empty: EMPTY_SERVICE_PROFILE,
      optional: ['linkFormat', 'linkTemplate', 'photoPrivacy', 'imageFormat', 'imageMaxSize', 'imageQuality', 'editCaptures'],
    });
  });

  it('takes "Edit captures before saving" as true, false or absent only', () => {
    const draft = { ...EMPTY_PROFILE, name: 'x', accessKeyId: 'AKIAX', bucket: 'x-bucket' };
    for (const editCaptures of [true, false, undefined]) expect(validateDraft({ ...draft, editCaptures }, { hasSavedSecret: true })).toEqual({});
    const stored = { ...draft, editCaptures: 'yes' } as unknown as typeof draft;
    expect(validateDraft(stored, { hasSavedSecret: true })).toEqual({ editCaptures: 'Tick the box or leave it empty.' });
  });

  it('Test connection is blocked by the fields each kind cannot ask without, in the order they are reported', () => {
    expect(connectionBlockingFields(keys)).toEqual(['accessKeyId', 'secretAccessKey', 'bucket', 'endpoint', 'region']);
    expect(connectionBlockingFields(service)).toEqual(['serviceUrl', 'serviceAuth', 'serviceAuthHeader', 'serviceToken', 'bucket', 'keyTemplate']);
  });

  it('normalizing keeps a keys draft’s link choices, and strips a service draft of what it cannot sign', () => {
    const keysDraft: KeysDraft = { ...keys, linkMode: 'custom', linkBaseUrl: 'https://cdn.example.com', linkDisposition: 'inline' };
    expect(normalizeDraft(keysDraft).draft).toEqual(keysDraft);
    const serviceDraft = {
      ...service,
      serviceUrl: 'https://presign.corp.example:8443/files/',
      accessKeyId: 'AKIA-LEFT-OVER',
      forcePathStyle: false,
      linkMode: 'public',
      linkBaseUrl: 'https://cdn.example.com',
      linkDisposition: 'inline',
    } as unknown as PresignServiceDraft;
    const { draft } = normalizeDraft(serviceDraft);
    expect(draft).toEqual({ ...service, serviceUrl: 'https://presign.corp.example:8443/files', accessKeyId: '', forcePathStyle: true });
    // A draft from before profiles had kinds is a keys draft.
    const { kind: _kind, ...old } = keys;
    expect(normalizeDraft(old as KeysDraft).draft.kind).toBe('keys');
  });

  it('validating asks each kind for its own fields only', () => {
    expect(validateDraft({ ...keys, accessKeyId: '', secretAccessKey: '' }, { hasSavedSecret: false })).toEqual({
      accessKeyId: 'Enter the access key ID.',
      secretAccessKey: 'Enter the secret access key.',
    });
    expect(validateDraft({ ...keys, accessKeyId: '' }, { hasSavedSecret: true })).toEqual({ accessKeyId: 'Enter the access key ID.' });
    // A service needs neither keys nor a bucket, but its token unless one is saved.
    expect(validateDraft({ ...service, bucket: '' }, { hasSavedSecret: true })).toEqual({});
    expect(Object.keys(validateDraft({ ...service, bucket: '' }, { hasSavedSecret: false }))).toEqual(['serviceToken']);
    expect(validateDraft({ ...service, serviceAuth: 'none' }, { hasSavedSecret: false })).toEqual({});
  });

  it('splitting keeps each kind’s own secrets only', () => {
    const all = { secretAccessKey: 'SECRET', sessionToken: 'SESSION', serviceToken: 'TOKEN' };
    expect(splitDraft({ ...keys, ...all })).toEqual({ profile: keys, secrets: { secretAccessKey: 'SECRET', sessionToken: 'SESSION' } });
    expect(splitDraft({ ...service, ...all })).toEqual({ profile: service, secrets: { serviceToken: 'TOKEN' } });
  });
});
