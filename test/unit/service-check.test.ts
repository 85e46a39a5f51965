import { describe, expect, it } from 'vitest';
import { createBucketCheckHandlers, type BucketCheckStore } from '../../src/background/bucket-check-service';
import { createUploadHandlers } from '../../src/background/upload-service';
import { sameBucket, type BucketCheck, type BucketFact, type CheckId } from '../../src/bucket-check/facts';
import { checksFor } from '../../src/bucket-check/lines';
import { serviceProbeKey } from '../../src/bucket-check/run-service';
import { EMPTY_SERVICE_PROFILE, type PresignServiceProfile } from '../../src/settings/profile';
import type { FetchLike } from '../../src/s3/region';
import { s3Error } from '../support/canned-s3';
import { AWS_PROFILE, destinationOpener, fakeServiceDeps, fakeSettings, seedProfile } from '../support/fake-settings';
import { callOf, s3Url, SIGNED_AT, TEAM_S3, TEAM_SERVICE, type ServiceCall } from '../support/fake-team-service';
import { failure, ok } from '../support/results';

const NOW = SIGNED_AT;
const TOKEN = 'team-token-abc123';
const UUID = '123e4567-e89b-42d3-a456-426614174000';
const PROBE_KEY = `drop/.s3-drop-check/${UUID}.txt`;
const S3_HOST = 'team-bucket.s3.eu-west-1.amazonaws.com';

const PROFILE: PresignServiceProfile = {
  ...EMPTY_SERVICE_PROFILE,
  id: 'svc',
  name: 'team',
  serviceUrl: TEAM_SERVICE,
  serviceAuth: 'bearer',
  bucket: 'team-bucket',
  keyTemplate: 'drop/{uuid}/{name}',
  endpoint: TEAM_S3,
  region: 'eu-west-1',
  forcePathStyle: true,
};

const httpDate = (d: Date) => d.toUTCString();
/** The fake service's answer (`{ url }` for the key and expiry asked), with its clock in `Date` as any HTTP server sends it. */
const signs = (clock: Date = NOW) => (call: ServiceCall) =>
  Response.json({ url: s3Url(call.url.searchParams.get('object_name')!, Number(call.url.searchParams.get('expiration'))) }, { headers: { date: httpDate(clock) } });

/** A bucket in memory behind the fake service's URLs: stores what is PUT, serves it back on GET. */
function bucket() {
  const objects = new Map<string, Uint8Array<ArrayBuffer>>();
  return {
    objects,
    answer: async (call: ServiceCall, init?: RequestInit): Promise<Response> => {
      const key = decodeURIComponent(call.url.pathname.slice(1));
      if (call.method === 'PUT') {
        objects.set(key, new Uint8Array(await new Response(init?.body as BodyInit).arrayBuffer()));
        return new Response('', { status: 200 });
      }
      const stored = objects.get(key);
      return stored ? new Response(stored, { status: 200 }) : new Response(s3Error('NoSuchKey', 'The specified key does not exist.'), { status: 404 });
    },
  };
}

interface Setup {
  service?: (call: ServiceCall) => Response | Promise<Response>;
  s3?: (call: ServiceCall, init?: RequestInit) => Response | Promise<Response>;
  token?: string;
  profile?: PresignServiceProfile;
}

/** The bucket-check handlers over the fake service (and an in-memory bucket), as the background wires them. */
async function setup(options: Setup = {}) {
  const settings = fakeSettings();
  const s3 = bucket();
  const answerS3 = options.s3 ?? s3.answer;
  const answerService = options.service ?? signs();
  // Every request, as the fake service records them; S3's answers also get the request (a PUT's body).
  const calls: ServiceCall[] = [];
  const fetch: FetchLike = async (input, init) => {
    const call = callOf(input, init);
    const { url } = call;
    calls.push(call);
    return url.origin === TEAM_SERVICE ? answerService(call) : answerS3(call, init);
  };
  const { deps } = fakeServiceDeps(settings, { fetch, now: () => NOW, uuid: () => UUID });
  await seedProfile(settings, options.profile ?? PROFILE, { serviceToken: options.token ?? TOKEN });
  const store: BucketCheckStore & { value: Record<string, BucketCheck> } = {
    value: {},
    load: async () => structuredClone(store.value),
    save: async (all) => {
      store.value = structuredClone(all);
    },
  };
  const checks = createBucketCheckHandlers({
    ...deps,
    client: () => {
      throw new Error('a presign service profile has no S3 client');
    },
    store,
  });
  const uploads = createUploadHandlers({ open: destinationOpener(deps), record: async () => {}, now: () => NOW, uuid: () => UUID, ensureRunner: async () => {} });
  /** The sentence an upload of a small text file shows when it cannot start: what the service line must say. */
  const uploadSentence = async () => failure(await uploads.startUpload({ profileId: PROFILE.id, name: 'notes.txt', type: 'text/plain', size: 5, source: 'popup' })).message;
  return { settings, checks, store, calls, objects: s3.objects, uploadSentence };
}

const statuses = (check: BucketCheck) => check.facts.map((f) => [f.id, f.status]);
const line = (check: BucketCheck, id: CheckId): BucketFact => {
  const found = check.facts.find((f) => f.id === id);
  if (!found) throw new Error(`no "${id}" line in ${JSON.stringify(statuses(check))}`);
  return found;
};
const SETTINGS_LINE = {
  id: 'bucketSettings',
  status: 'info',
  sentence:
    "Uploads in parts, replacing files, lifecycle rules, versioning, Object Lock, checksums and the bucket's region are the bucket's settings, which S3 Drop cannot see without the bucket's keys. They are the service owner's to check: ask whoever runs the service.",
};

describe('Check my bucket for a presign service profile', () => {
  it('asks the service for one probe, PUTs it as uploads do, opens it through a link the service signs, and says the file stays', async () => {
    const { checks, calls, objects, store } = await setup();
    const check = ok(await checks.checkBucket({ profileId: PROFILE.id }));
    expect(check.facts).toEqual([
      {
        id: 'service',
        status: 'ok',
        sentence: `The presign service at files.example.com answers: it signed an upload URL for a test file, pointing at S3 on ${S3_HOST} (region eu-west-1).`,
      },
      {
        id: 'clock',
        status: 'ok',
        sentence: "Your computer's clock agrees with the presign service's (within 0 s), so S3 Drop shows rightly when the links it signs expire.",
      },
      {
        id: 'probe',
        status: 'ok',
        sentence: `S3 Drop uploaded a small test file through the service's upload URL, so uploads work. The service cannot delete files, so the test file stays in the bucket: "${PROBE_KEY}" (${objects.get(PROBE_KEY)!.length} bytes). Delete it whenever you like, or ask whoever runs the service to.`,
      },
      { id: 'probeLink', status: 'ok', sentence: 'The service signed a link to the test file, and the link opened it with the same bytes, so share links work.' },
      SETTINGS_LINE,
    ]);
    // One tiny file, under the template's prefix (the service may sign nothing else) in the reserved folder.
    expect([...objects.keys()]).toEqual([PROBE_KEY]);
    expect(new TextDecoder().decode(objects.get(PROBE_KEY))).toBe("S3 Drop checked the presign service's URLs at 2024-03-05T07:08:09.000Z. This file can be deleted.\n");
    expect(objects.get(PROBE_KEY)!.length).toBeLessThan(100);
    // The requests, as uploads and links make them: the upload URL asked with the token, type and size; the PUT with the type; the link; the GET.
    expect(calls.map((c) => `${c.method} ${c.url.origin}${c.url.pathname}`)).toEqual([
      `POST ${TEAM_SERVICE}/api/v1/files/presign`,
      `PUT ${TEAM_S3}/drop/.s3-drop-check/${UUID}.txt`,
      `GET ${TEAM_SERVICE}/api/v1/files/presign`,
      `GET ${TEAM_S3}/drop/.s3-drop-check/${UUID}.txt`,
    ]);
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(calls[0]!.body).toEqual({ bucket_name: 'team-bucket', object_name: PROBE_KEY, expiration: 300, content_type: 'text/plain', content_length: objects.get(PROBE_KEY)!.length });
    expect(calls[1]!.headers).toEqual({ 'content-type': 'text/plain' });
    expect(calls[2]!.url.searchParams.get('object_name')).toBe(PROBE_KEY);
    expect(calls[2]!.url.searchParams.get('expiration')).toBe('60');
    expect(calls[3]!.headers.authorization).toBeUndefined();
    // Kept like a keys profile's check, addressed to this service.
    expect(store.value).toEqual({
      [PROFILE.id]: {
        ...check,
        address: { bucket: 'team-bucket', endpoint: TEAM_S3, region: 'eu-west-1', forcePathStyle: true, serviceUrl: TEAM_SERVICE },
      },
    });
    expect(await checks.getBucketCheck({ profileId: PROFILE.id })).toEqual(check);
  });

  it.each([
    ['the service is down', () => Promise.reject(new TypeError('fetch failed')), 'Cannot reach the presign service at files.example.com. Check the service URL in Options, that the service is running, and your connection.'],
    [
      'the service refuses the token (401)',
      () => new Response('{"detail":"invalid token"}', { status: 401, headers: { 'content-type': 'application/json', date: httpDate(NOW) } }),
      'The presign service at files.example.com refused your token (HTTP 401). Check the token in Options, or ask whoever runs the service for a new one.',
    ],
    [
      'the service answers broken JSON',
      () => new Response('{"url":', { status: 200, headers: { 'content-type': 'application/json', date: httpDate(NOW) } }),
      'The presign service at files.example.com answered, but not with a URL: "{"url":". S3 Drop expects a JSON string, {"url": …}, {"presigned_url": …}, or the URL as plain text.',
    ],
  ])('%s: the service line gives the sentence an upload gives, and nothing reaches S3', async (_, answer, sentence) => {
    const { checks, calls, objects, uploadSentence } = await setup({ service: answer as () => Response });
    const check = ok(await checks.checkBucket({ profileId: PROFILE.id }));
    expect(line(check, 'service')).toEqual({ id: 'service', status: 'problem', sentence });
    expect(await uploadSentence()).toBe(sentence);
    expect(statuses(check).map(([id]) => id)).toEqual(['service', 'clock', 'probe', 'probeLink', 'bucketSettings']);
    expect(line(check, 'probe')).toEqual({ id: 'probe', status: 'skipped', sentence: 'Not checked: the lines above must work first.' });
    expect(line(check, 'probeLink').status).toBe('skipped');
    expect(line(check, 'bucketSettings')).toEqual(SETTINGS_LINE);
    expect(calls.filter((c) => c.url.origin !== TEAM_SERVICE)).toEqual([]);
    expect(objects.size).toBe(0);
  });

  it('a refusal still carries the service’s clock; no answer at all leaves the clock unchecked', async () => {
    const refused = await setup({ service: () => new Response('', { status: 401, headers: { date: httpDate(new Date(NOW.getTime() + 20 * 60_000)) } }) });
    expect(line(ok(await refused.checks.checkBucket({ profileId: PROFILE.id })), 'clock').status).toBe('problem');
    const down = await setup({ service: () => Promise.reject(new TypeError('fetch failed')) as never });
    expect(line(ok(await down.checks.checkBucket({ profileId: PROFILE.id })), 'clock')).toEqual({
      id: 'clock',
      status: 'skipped',
      sentence: 'Not checked: the lines above must work first.',
    });
  });

  it.each([
    [
      'ten minutes behind ours: we are ahead',
      new Date(NOW.getTime() - 10 * 60_000),
      "Your computer's clock is 10 minutes ahead of the presign service's: links it signs look that much closer to expiring than they are, and short-lived upload URLs can look expired before they are used. Set your clock to the correct time; if it is right, tell whoever runs the service that its clock is off.",
    ],
    [
      'twenty minutes ahead of ours: we are behind',
      new Date(NOW.getTime() + 20 * 60_000),
      "Your computer's clock is 20 minutes behind the presign service's: links it signs look that much longer-lived than they are. Set your clock to the correct time; if it is right, tell whoever runs the service that its clock is off.",
    ],
  ])('clock: the service’s Date %s', async (_, clock, sentence) => {
    const { checks } = await setup({ service: signs(clock) });
    const check = ok(await checks.checkBucket({ profileId: PROFILE.id }));
    expect(line(check, 'clock')).toEqual({ id: 'clock', status: 'problem', sentence });
    // The rest is still asked: a skew is worth knowing, not a reason to stop.
    expect(line(check, 'probeLink').status).toBe('ok');
  });

  it('clock: a service that sends no Date is information, not a verdict', async () => {
    const { checks } = await setup({ service: (call) => Response.json({ url: s3Url(call.url.searchParams.get('object_name')!) }) });
    expect(line(ok(await checks.checkBucket({ profileId: PROFILE.id })), 'clock')).toEqual({
      id: 'clock',
      status: 'info',
      sentence: 'The presign service did not say what time it has, so your clock could not be compared with it.',
    });
  });

  it('S3 refuses the PUT: the probe line gives the upload’s sentence, for whoever runs the service, and no link is asked', async () => {
    const { checks, calls } = await setup({ s3: () => new Response(s3Error('AccessDenied', 'Access Denied'), { status: 403 }) });
    const check = ok(await checks.checkBucket({ profileId: PROFILE.id }));
    expect(statuses(check)).toEqual([
      ['service', 'ok'],
      ['clock', 'ok'],
      ['probe', 'problem'],
      ['probeLink', 'skipped'],
      ['bucketSettings', 'info'],
    ]);
    expect(line(check, 'probe').sentence).toBe(
      `A small test file could not be uploaded, so uploads will fail: ${S3_HOST} refused the presign service's URL (AccessDenied): the service's own keys may not upload (s3:PutObject) there. Tell whoever runs the service.`,
    );
    expect(line(check, 'probeLink').sentence).toBe('Not checked: it needs the test file, which could not be stored.');
    expect(calls.map((c) => c.method)).toEqual(['POST', 'PUT']);
  });

  it('the link returns other bytes: the link line says something changes files', async () => {
    const s3 = bucket();
    const { checks } = await setup({
      s3: async (call, init) => (call.method === 'GET' ? new Response('<html>a proxy page</html>', { status: 200 }) : s3.answer(call, init)),
    });
    expect(line(ok(await checks.checkBucket({ profileId: PROFILE.id })), 'probeLink')).toEqual({
      id: 'probeLink',
      status: 'problem',
      sentence: 'A test file was stored, but its signed link returned something else: something between you and the bucket changes files.',
    });
  });

  it('the link is refused by S3, or not signed by the service: each says so, with the reason', async () => {
    const s3 = bucket();
    const denied = await setup({
      s3: async (call, init) => (call.method === 'GET' ? new Response(s3Error('AccessDenied', 'Access Denied'), { status: 403 }) : s3.answer(call, init)),
    });
    expect(line(ok(await denied.checks.checkBucket({ profileId: PROFILE.id })), 'probeLink').sentence).toBe(
      `A test file was stored, but its signed link did not open it, so share links will not work: ${S3_HOST} refused the presign service's URL (AccessDenied): the service's own keys may not read (s3:GetObject) there. Tell whoever runs the service.`,
    );

    const unsigned = await setup({
      service: (call) =>
        call.method === 'GET' ? new Response('{"detail":"reading is not allowed here"}', { status: 403, headers: { 'content-type': 'application/json' } }) : signs()(call),
    });
    const check = ok(await unsigned.checks.checkBucket({ profileId: PROFILE.id }));
    expect(line(check, 'probe').status).toBe('ok');
    expect(line(check, 'probeLink')).toEqual({
      id: 'probeLink',
      status: 'problem',
      sentence:
        'The test file was stored, but the presign service did not sign a link to it, so share links will fail: The presign service at files.example.com refused your token (HTTP 403). Check the token in Options, or ask whoever runs the service for a new one.',
    });
  });

  it('a saved profile without its token: the upload’s sentence, and nothing is asked', async () => {
    const { checks, calls, uploadSentence } = await setup({ token: '' });
    const check = ok(await checks.checkBucket({ profileId: PROFILE.id }));
    expect(line(check, 'service')).toEqual({ id: 'service', status: 'problem', sentence: await uploadSentence() });
    expect(line(check, 'service').sentence).toMatch(/token/);
    expect(line(check, 'clock').status).toBe('skipped');
    expect(calls).toEqual([]);
  });

  it('fixBucket has no fix for a service profile: a page still showing another list gets this one', async () => {
    const { checks } = await setup();
    const check = ok(await checks.fixBucket({ profileId: PROFILE.id, fix: 'add-abort-rule' }));
    expect(statuses(check).map(([id]) => id)).toEqual(['service', 'clock', 'probe', 'probeLink', 'bucketSettings']);
  });

  it('a stored check stops counting when the profile points at another service, bucket or S3 host', async () => {
    const { checks, settings } = await setup();
    ok(await checks.checkBucket({ profileId: PROFILE.id }));
    expect(await checks.getBucketCheck({ profileId: PROFILE.id })).not.toBeNull();
    for (const moved of [{ serviceUrl: 'https://other.example.com' }, { bucket: 'other-bucket' }, { endpoint: 'https://s3.example.net' }]) {
      await seedProfile(settings, { ...PROFILE, ...moved }, { serviceToken: TOKEN });
      expect(await checks.getBucketCheck({ profileId: PROFILE.id }), JSON.stringify(moved)).toBeNull();
    }
  });
});

describe('which lines a profile gets', () => {
  it('a service profile: only what its URLs show, and the line about the bucket’s settings', () => {
    expect(checksFor(PROFILE)).toEqual(['service', 'clock', 'probe', 'probeLink', 'bucketSettings']);
  });
  it('own keys: every line but the service’s', () => {
    const ids = checksFor(AWS_PROFILE);
    expect(ids).toEqual(expect.arrayContaining(['keys', 'clock', 'region', 'probe', 'multipart', 'conditionalWrites', 'lifecycle', 'versioning', 'objectLock']));
    for (const id of ['service', 'probeLink', 'bucketSettings'] as const) expect(ids).not.toContain(id);
  });
  it('a keys check stored before services were checked still counts for its keys profile, and never for a service profile', () => {
    const address = { bucket: 'b', endpoint: TEAM_S3, region: 'eu-west-1', forcePathStyle: true };
    expect(sameBucket(address, { ...AWS_PROFILE, ...address })).toBe(true);
    expect(sameBucket(address, { ...PROFILE, ...address })).toBe(false);
  });
});

describe('the test file’s name', () => {
  it.each([
    ['drop/{uuid}/{name}', `drop/.s3-drop-check/${UUID}.txt`],
    ['team/uploads/{yyyy}/{mm}/{name}', `team/uploads/.s3-drop-check/${UUID}.txt`],
    ['team/shot-{uuid}.png', `team/.s3-drop-check/${UUID}.txt`],
    ['{yyyy}/{mm}/{dd}/{uuid}-{name}', `.s3-drop-check/${UUID}.txt`],
    ['{host}/{name}', `.s3-drop-check/${UUID}.txt`],
  ])('template %s: %s', (template, key) => {
    expect(serviceProbeKey(template, UUID)).toBe(key);
  });
});
