import { describe, expect, it } from 'vitest';
import { createBucketCheckHandlers, type BucketCheckStore } from '../../src/background/bucket-check-service';
import { clockFact } from '../../src/bucket-check/access';
import { checkObjectLock, checkVersioning } from '../../src/bucket-check/bucket-settings';
import { conditionalAnswer } from '../../src/bucket-check/conditional';
import type { BucketCheck, ConditionalWrites } from '../../src/bucket-check/facts';
import { CHECK_PREFIX, checkProbe } from '../../src/bucket-check/probe';
import { checksFor } from '../../src/bucket-check/run';
import { conditionalWrites } from '../../src/destination/own-keys';
import type { KeysProfile } from '../../src/settings/profile';
import { cannedS3, s3Error } from '../support/canned-s3';
import { AWS_PROFILE, destinationOpener, fakeServiceDeps, fakeSettings, MEDIA_PROFILE, seedProfile } from '../support/fake-settings';
import { failure, ok } from '../support/results';

const NOW = new Date('2026-12-07T10:00:00Z');
const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const reply = (status: number, text = '') => ({ status, text });

describe('conditional writes: two PUTs with If-None-Match: * on one free key', () => {
  it.each([
    ['200 then 412 PreconditionFailed: honoured (AWS since 2024)', reply(200), reply(412, s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold')), 'honoured'],
    ['200 then 200: ignored, the second overwrote (s3rver)', reply(200), reply(200), 'ignored'],
    ['501 NotImplemented at once: refused, nothing stored (Swift)', reply(501, s3Error('NotImplemented', 'Conditional object PUTs are not supported.')), null, 'refused'],
    ['a 400 that says NotImplemented counts as refused', reply(400, s3Error('NotImplemented', 'not here')), null, 'refused'],
    ['403 on the first: unclear', reply(403, s3Error('AccessDenied', 'Access Denied')), null, null],
    ['200 then 409: unclear', reply(200), reply(409, s3Error('ConditionalRequestConflict', 'conflict')), null],
  ] as const)('%s', (_, first, second, expected) => {
    expect(conditionalAnswer(first, second)).toBe(expected);
  });
});

describe('clock: the bucket’s Date against ours', () => {
  it('seconds apart is fine, and says how many', () => {
    expect(clockFact('Mon, 07 Dec 2026 09:59:58 GMT', NOW)).toMatchObject({ id: 'clock', status: 'ok', sentence: expect.stringContaining('within 2 s') });
  });
  it('minutes ahead or behind is a problem that says which way', () => {
    expect(clockFact('Mon, 07 Dec 2026 09:50:00 GMT', NOW)).toMatchObject({ status: 'problem', sentence: expect.stringMatching(/10 minutes ahead/) });
    expect(clockFact('Mon, 07 Dec 2026 10:20:00 GMT', NOW)).toMatchObject({ status: 'problem', sentence: expect.stringMatching(/20 minutes behind/) });
  });
  it('no Date header: information, not a verdict', () => {
    expect(clockFact(null, NOW).status).toBe('info');
    expect(clockFact('yesterday', NOW).status).toBe('info');
  });
});

describe('versioning and Object Lock from AWS’s XML', () => {
  const answer = (status: number, body: string) => cannedS3(() => ({ status, body })).client;
  it('versioning Enabled, Suspended, never set', async () => {
    const xml = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><VersioningConfiguration xmlns="${NS}">${inner}</VersioningConfiguration>`;
    expect((await checkVersioning(answer(200, xml('<Status>Enabled</Status>')), 'b')).sentence).toMatch(/Versioning is on/);
    expect((await checkVersioning(answer(200, xml('<Status>Suspended</Status>')), 'b')).sentence).toMatch(/suspended/);
    expect(await checkVersioning(answer(200, xml('')), 'b')).toMatchObject({ status: 'info', sentence: expect.stringMatching(/Versioning is off/) });
  });
  it('Object Lock with a default retention, without, and not configured', async () => {
    const xml = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><ObjectLockConfiguration xmlns="${NS}">${inner}</ObjectLockConfiguration>`;
    const retained = await checkObjectLock(
      answer(200, xml('<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>30</Days></DefaultRetention></Rule>')),
      'b',
    );
    expect(retained).toMatchObject({ id: 'objectLock', status: 'info', sentence: expect.stringContaining('30 days (GOVERNANCE)') });
    expect((await checkObjectLock(answer(200, xml('<ObjectLockEnabled>Enabled</ObjectLockEnabled>')), 'b')).sentence).toMatch(/no default retention/);
    const none = await checkObjectLock(answer(404, s3Error('ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket')), 'b');
    expect(none.sentence).toMatch(/Object Lock is off/);
  });
});

describe('the probe file is always deleted', () => {
  function probeDeps(getStatus: number) {
    const s3 = cannedS3((r) => (r.method === 'DELETE' ? { status: 204 } : { status: 500, body: s3Error('InternalError', 'unexpected') }));
    const fetched: string[] = [];
    return {
      s3,
      fetched,
      deps: {
        client: s3.client,
        now: () => NOW,
        uuid: () => 'u1',
        fetch: async (url: string, init?: RequestInit) => {
          fetched.push(`${init?.method} ${new URL(url).pathname}`);
          return new Response(init?.method === 'PUT' ? '' : getStatus === 200 ? 'other bytes' : s3Error('AccessDenied', 'Access Denied'), { status: init?.method === 'PUT' ? 200 : getStatus });
        },
      },
    };
  }
  const ctx = { bucket: 'b', region: 'us-east-1', endpoint: '' };

  it('when its link fails, the line says so, and the file is deleted', async () => {
    const { deps, s3, fetched } = probeDeps(403);
    const facts = await checkProbe(deps, ctx, async () => []);
    expect(fetched).toEqual([`PUT /b/${CHECK_PREFIX}u1.txt`, `GET /b/${CHECK_PREFIX}u1.txt`]);
    expect(facts).toMatchObject([{ id: 'probe', status: 'problem', sentence: expect.stringMatching(/share links will not work/) }]);
    expect(s3.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /b/${CHECK_PREFIX}u1.txt`]);
  });

  it('on a bucket with versioning, the version it stored is deleted by id (a plain DELETE would only hide it)', async () => {
    const s3 = cannedS3((r) => (r.method === 'DELETE' ? { status: 204 } : { status: 500 }));
    const deps = {
      client: s3.client,
      now: () => NOW,
      uuid: () => 'u2',
      fetch: async (_url: string, init?: RequestInit) =>
        init?.method === 'PUT' ? new Response('', { status: 200, headers: { 'x-amz-version-id': '3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY' } }) : new Response(init ? 'x' : ''),
    };
    await checkProbe(deps, ctx, async () => []);
    expect(s3.requests.map((r) => [r.method, r.query.versionId])).toEqual([['DELETE', '3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY']]);
  });

  it('keys that may not delete versions still hide the file with a plain DELETE', async () => {
    const s3 = cannedS3((r) => (r.query.versionId ? { status: 403, body: s3Error('AccessDenied', 'Access Denied') } : { status: 204 }));
    const deps = {
      client: s3.client,
      now: () => NOW,
      uuid: () => 'u3',
      fetch: async (_url: string, init?: RequestInit) =>
        init?.method === 'PUT' ? new Response('', { status: 200, headers: { 'x-amz-version-id': 'v1' } }) : new Response('x'),
    };
    const facts = await checkProbe(deps, ctx, async () => []);
    expect(s3.requests.map((r) => [r.method, r.query.versionId])).toEqual([
      ['DELETE', 'v1'],
      ['DELETE', undefined],
    ]);
    // Hidden, as S3 Drop's own Delete does: the line does not call that a failure.
    expect(facts[0]!.sentence).not.toMatch(/could not be deleted/);
  });

  it('when a link check throws, the file is still deleted', async () => {
    const { deps, s3 } = probeDeps(200);
    await expect(checkProbe(deps, ctx, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(s3.requests.map((r) => r.method)).toEqual(['DELETE']);
  });
});

describe('the upload path reads the stored conditional-writes answer', () => {
  const collide: KeysProfile = { ...AWS_PROFILE, keyTemplate: 'work/{name}' };
  const compatible: KeysProfile = { ...MEDIA_PROFILE, keyTemplate: 'media/{name}' };
  it.each<[string, KeysProfile, ConditionalWrites | undefined, boolean]>([
    ['AWS, not checked: the guess (yes)', collide, undefined, true],
    ['AWS, checked and refused: no', collide, 'refused', false],
    ['AWS, checked and ignored: no (the HEAD check does the work)', collide, 'ignored', false],
    ['an S3-compatible endpoint, not checked: the guess (no)', compatible, undefined, false],
    ['an S3-compatible endpoint, checked and honoured: yes', compatible, 'honoured', true],
    ['a template that cannot collide never asks, whatever was seen', { ...compatible, keyTemplate: '{uuid}' }, 'honoured', false],
  ])('%s', (_, profile, observed, expected) => {
    expect(conditionalWrites(profile, observed)).toBe(expected);
  });

  const checkOf = (profile: KeysProfile, answer: ConditionalWrites, over: Partial<BucketCheck['address']> = {}): BucketCheck => ({
    profileId: profile.id,
    checkedAt: NOW.getTime(),
    address: { bucket: profile.bucket, endpoint: profile.endpoint, region: profile.region, forcePathStyle: profile.forcePathStyle, ...over },
    facts: [],
    conditionalWrites: answer,
  });

  it('openDestination uses a check of the same bucket, and ignores one of a bucket the profile no longer uses', async () => {
    const settings = fakeSettings();
    await seedProfile(settings, compatible, { secretAccessKey: 's' });
    const { deps } = fakeServiceDeps(settings, { now: () => NOW });
    const open = (check: BucketCheck) => destinationOpener({ ...deps, bucketCheck: async (id) => (id === compatible.id ? check : null) })(compatible.id);
    expect(ok(await open(checkOf(compatible, 'honoured'))).conditionalWrites).toBe(true);
    expect(ok(await open(checkOf(compatible, 'honoured', { bucket: 'old-bucket' }))).conditionalWrites).toBe(false);
    expect(ok(await open(checkOf(compatible, 'honoured', { endpoint: 'https://old.example.com' }))).conditionalWrites).toBe(false);
  });
});

describe('the checkBucket / fixBucket / getBucketCheck handlers', () => {
  function handlers(stored: Record<string, BucketCheck> = {}) {
    const settings = fakeSettings();
    const { deps, fetch } = fakeServiceDeps(settings, { now: () => NOW });
    const store: BucketCheckStore & { value: Record<string, BucketCheck> } = {
      value: stored,
      load: async () => structuredClone(store.value),
      save: async (all) => {
        store.value = structuredClone(all);
      },
    };
    const checks = createBucketCheckHandlers({ ...deps, client: () => { throw new Error('no S3 in this test'); }, store });
    return { settings, checks, store, fetch };
  }

  it('a profile without its secret, and a deleted one, come back as their sentences', async () => {
    const { settings, checks } = handlers();
    await seedProfile(settings, MEDIA_PROFILE, { secretAccessKey: '' });
    expect(failure(await checks.checkBucket({ profileId: MEDIA_PROFILE.id })).code).toBe('NotConfigured');
    expect(failure(await checks.checkBucket({ profileId: 'gone' })).code).toBe('NoSuchProfile');
  });

  it('getBucketCheck: the stored check of the bucket the profile uses now, else null', async () => {
    const check: BucketCheck = {
      profileId: MEDIA_PROFILE.id,
      checkedAt: 1,
      address: { bucket: MEDIA_PROFILE.bucket, endpoint: MEDIA_PROFILE.endpoint, region: MEDIA_PROFILE.region, forcePathStyle: true },
      facts: [{ id: 'probe', status: 'ok', sentence: 'fine' }],
    };
    const { settings, checks } = handlers({ [MEDIA_PROFILE.id]: check });
    await seedProfile(settings, MEDIA_PROFILE, { secretAccessKey: 's' });
    expect(await checks.getBucketCheck({ profileId: MEDIA_PROFILE.id })).toEqual(check);
    await seedProfile(settings, { ...MEDIA_PROFILE, bucket: 'another-bucket' }, { secretAccessKey: 's' });
    expect(await checks.getBucketCheck({ profileId: MEDIA_PROFILE.id })).toBeNull();
  });

  it('link lines only for the link modes that make such links', () => {
    expect(checksFor(AWS_PROFILE)).not.toContain('publicLinks');
    expect(checksFor(AWS_PROFILE)).not.toContain('customLinks');
    expect(checksFor({ ...AWS_PROFILE, linkMode: 'public' })).toContain('publicLinks');
    expect(checksFor({ ...AWS_PROFILE, linkMode: 'custom', linkBaseUrl: 'https://cdn.example.com' })).toEqual(expect.arrayContaining(['customLinks']));
  });
});
