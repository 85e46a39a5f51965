import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucketCheckHandlers } from '../../src/background/bucket-check-service';
import type { BucketCheck, BucketFact, CheckId } from '../../src/bucket-check/facts';
import { s3ClientPool } from '../../src/destination/connection';
import type { PresignServiceDraft } from '../../src/settings/profile';
import { fakeSettings } from '../support/fake-settings';
import { strictLaneAvailable } from '../support/lanes';
import { presignServiceAvailable, serviceDraft, startPresignService, type PresignService } from '../support/presign-service';
import { realBackground } from '../support/real-background';
import { ok } from '../support/results';
import { connectionTo, startS3rver, startSwift, type S3Server } from '../support/s3-servers';
import { createS3Client } from '../../src/s3/client';

const BUCKET = 'team-check';
const TOKEN = 'team-token-5d1e88a0';
const PREFIX = 'drop/';

const draft = (baseUrl: string, over: Partial<PresignServiceDraft> = {}) => serviceDraft(baseUrl, TOKEN, over);

const line = (check: BucketCheck, id: CheckId): BucketFact => {
  const found = check.facts.find((f) => f.id === id);
  if (!found) throw new Error(`no "${id}" line in ${JSON.stringify(check.facts)}`);
  return found;
};
const host = (url: string) => new URL(url).host;
const SETTINGS_SENTENCE =
  "Uploads in parts, replacing files, lifecycle rules, versioning, Object Lock, checksums and the bucket's region are the bucket's settings, which S3 Drop cannot see without the bucket's keys. They are the service owner's to check: ask whoever runs the service.";

/**
 * "Check my bucket" for a presign-service profile, through the real
 * background (saved profile and token, the service's destination, fetch)
 * against the reference service (FastAPI + boto3) in front of each test
 * server: every line is what that service and server really do.
 */
function lane(name: string, start: () => Promise<S3Server>) {
  describe(`Check my bucket through the reference presign service, ${name}`, () => {
    let s3: S3Server;
    let presign: PresignService;
    let admin: S3Client;
    let stored: Record<string, BucketCheck> = {};
    const store = {
      load: async () => structuredClone(stored),
      save: async (all: Record<string, BucketCheck>) => {
        stored = structuredClone(all);
      },
    };
    /** A background over fresh settings, its check handlers, and a saved service profile's id. */
    async function saved(over: Partial<PresignServiceDraft> = {}, service = presign) {
      const bg = realBackground(fakeSettings());
      const report = await bg.service.saveProfile(draft(service.baseUrl, over));
      expect(report.saved, service.log()).toBe(true);
      return { id: report.id, checks: createBucketCheckHandlers({ ...bg.deps, client: s3ClientPool(), store }) };
    }
    const checkTestFiles = async () =>
      ((await admin.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}.s3-drop-check/` }))).Contents ?? []).map((o) => o.Key!);

    beforeAll(async () => {
      s3 = await start();
      presign = await startPresignService({ s3, bucket: BUCKET, token: TOKEN, prefix: PREFIX });
      // The bucket's owner, to see what the check left: the server's own keys, not the service's.
      admin = createS3Client(connectionTo(s3, BUCKET));
    });
    afterAll(async () => {
      admin?.destroy();
      await presign?.stop();
      await s3?.stop();
    });

    it('every line works, and the one test file it leaves is named and holds what was sent', async () => {
      const before = await checkTestFiles();
      const { id, checks } = await saved();
      const check = ok(await checks.checkBucket({ profileId: id }));
      const { facts } = check;
      // Save learned where the service's URLs point: the address the check is kept under.
      expect(facts.length, presign.log()).toBe(5);
      expect(facts.map((f) => [f.id, f.status]), JSON.stringify(facts)).toEqual([
        ['service', 'ok'],
        ['clock', 'ok'],
        ['probe', 'ok'],
        ['probeLink', 'ok'],
        ['bucketSettings', 'info'],
      ]);
      expect(line(check, 'service').sentence).toBe(
        `The presign service at ${host(presign.baseUrl)} answers: it signed an upload URL for a test file, pointing at S3 on ${host(s3.endpoint)} (region us-east-1).`,
      );
      // uvicorn's Date and ours, on one machine.
      expect(line(check, 'clock').sentence).toMatch(/^Your computer's clock agrees with the presign service's \(within \d+ s\)/);
      expect(line(check, 'probeLink').sentence).toBe('The service signed a link to the test file, and the link opened it with the same bytes, so share links work.');
      expect(line(check, 'bucketSettings').sentence).toBe(SETTINGS_SENTENCE);

      // Exactly one new file, under the service's prefix, and the line names it.
      const added = (await checkTestFiles()).filter((key) => !before.includes(key));
      expect(added).toHaveLength(1);
      const [key] = added as [string];
      expect(key).toMatch(/^drop\/\.s3-drop-check\/[0-9a-f-]{36}\.txt$/);
      const object = await admin.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      const text = await object.Body!.transformToString();
      expect(text).toMatch(/^S3 Drop checked the presign service's URLs at \d{4}-\d\d-\d\dT[\d:.]+Z\. This file can be deleted\.\n$/);
      expect(object.ContentType).toBe('text/plain');
      expect(line(check, 'probe').sentence).toBe(
        `S3 Drop uploaded a small test file through the service's upload URL, so uploads work. The service cannot delete files, so the test file stays in the bucket: "${key}" (${text.length} bytes). Delete it whenever you like, or ask whoever runs the service to.`,
      );

      // Kept, for this service's profile.
      expect(await checks.getBucketCheck({ profileId: id })).toEqual(check);
      expect(stored[id]!.address).toEqual({ bucket: '', endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, serviceUrl: presign.baseUrl });
    });

    it('a wrong token: the service line is the refusal uploads show, and nothing is stored', async () => {
      const before = await checkTestFiles();
      const { id, checks } = await saved({ serviceToken: 'not-the-team-token' });
      const check = ok(await checks.checkBucket({ profileId: id }));
      expect(check.facts.map((f) => [f.id, f.status])).toEqual([
        ['service', 'problem'],
        ['clock', 'ok'],
        ['probe', 'skipped'],
        ['probeLink', 'skipped'],
        ['bucketSettings', 'info'],
      ]);
      expect(line(check, 'service').sentence).toBe(
        `The presign service at ${host(presign.baseUrl)} refused your token (HTTP 401). Check the token in Options, or ask whoever runs the service for a new one.`,
      );
      expect(await checkTestFiles()).toEqual(before);
    });

    it('a template outside the service’s prefix: the service line quotes its refusal of the test file’s name', async () => {
      const { id, checks } = await saved({ keyTemplate: 'elsewhere/{uuid}-{name}' });
      const check = ok(await checks.checkBucket({ profileId: id }));
      expect(line(check, 'service')).toEqual({
        id: 'service',
        status: 'problem',
        sentence: expect.stringMatching(
          /^The presign service at 127\.0\.0\.1:\d+ did not accept the request for "elsewhere\/\.s3-drop-check\/[0-9a-f-]{36}\.txt" \(HTTP 400: "object_name must start with 'drop\/'"\)\. Change the object key template/,
        ),
      });
    });
  });
}

describe.skipIf(!presignServiceAvailable())('team check, fast lane', () => {
  lane('on s3rver', () => startS3rver({ buckets: [BUCKET] }));
});

describe.skipIf(!strictLaneAvailable() || !presignServiceAvailable())('team check, strict lane', () => {
  lane('on Swift', () => startSwift({ buckets: [BUCKET] }));

  describe('a service that signs with the wrong secret', () => {
    let s3: S3Server;
    let broken: PresignService;
    beforeAll(async () => {
      s3 = await startSwift({ buckets: [BUCKET] });
      broken = await startPresignService({ s3: { ...s3, secretAccessKey: 'not-the-secret' }, bucket: BUCKET, token: TOKEN, prefix: PREFIX });
    });
    afterAll(async () => {
      await broken?.stop();
      await s3?.stop();
    });

    it('the service answers, but Swift refuses its PUT: the probe line says whoever runs the service must act', async () => {
      const bg = realBackground(fakeSettings());
      const { id } = await bg.service.saveProfile(draft(broken.baseUrl));
      const checks = createBucketCheckHandlers({ ...bg.deps, client: s3ClientPool(), store: { load: async () => ({}), save: async () => {} } });
      const check = ok(await checks.checkBucket({ profileId: id }));
      expect(check.facts.map((f) => [f.id, f.status])).toEqual([
        ['service', 'ok'],
        ['clock', 'ok'],
        ['probe', 'problem'],
        ['probeLink', 'skipped'],
        ['bucketSettings', 'info'],
      ]);
      expect(line(check, 'probe').sentence).toMatch(
        new RegExp(
          `^A small test file could not be uploaded, so uploads will fail: ${host(s3.endpoint).replace(/\./g, '\\.')} refused the presign service's signature \\(SignatureDoesNotMatch\\).*Tell whoever runs the service\\.$`,
        ),
      );
    });
  });
});
