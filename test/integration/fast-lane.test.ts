import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_PROFILE } from '../../src/settings/profile';
import { fetchTransport } from '../../src/upload/fetch-transport';
import { UploadQueue, type UploadItem } from '../../src/upload/queue';
import { fakeSettings, type FakeSettings } from '../support/fake-settings';
import { realBackground, type RealBackground } from '../support/real-background';
import { startS3rver, type S3Server } from '../support/s3-servers';

/**
 * The background (settings service and upload handlers) and the upload queue
 * wired together as the popup wires them, against s3rver (fast,
 * in-process). s3rver accepts any signature: this proves the flow, the
 * strict lane proves the signing.
 */
describe('upload flow on the fast lane (s3rver)', () => {
  let s3: S3Server;
  let fake: FakeSettings;
  let service: RealBackground['service'];
  let uploads: RealBackground['uploads'];

  beforeAll(async () => {
    s3 = await startS3rver({ buckets: ['fast', 'other'] });
    fake = fakeSettings();
    ({ service, uploads } = realBackground(fake));
    const saved = await service.saveProfile({
      ...EMPTY_PROFILE,
      accessKeyId: ` ${s3.accessKeyId} `,
      secretAccessKey: s3.secretAccessKey,
      bucket: 'fast',
      region: s3.region,
      endpoint: `${s3.endpoint}/`,
      forcePathStyle: true,
      keyTemplate: 'uploads/{uuid}/{name}',
      linkExpirySeconds: 3600,
    });
    expect(saved).toMatchObject({ saved: true, trimmed: ['accessKeyId'] });
    expect(fake.profiles.defaultId).toBe(saved.id);
  });
  afterAll(() => s3?.stop());

  it('queues files, uploads each, and copies each link', async () => {
    const copied: string[] = [];
    const queue = new UploadQueue({
      backend: uploads,
      transport: fetchTransport(),
      copy: async (text) => {
        copied.push(text);
        return true;
      },
    });
    const files = [
      new File(['first file'], 'one.txt', { type: 'text/plain' }),
      new File([new Uint8Array(256 * 1024).map((_, i) => i % 251)], 'two words.bin'),
      new File([], 'empty.txt', { type: 'text/plain' }),
    ];
    queue.add(files);
    await queue.idle();
    const items = queue.snapshot() as UploadItem[];
    expect(items.map((i) => i.status)).toEqual(['done', 'done', 'done']);
    expect(copied).toEqual(items.map((i) => i.link));
    for (const [i, item] of items.entries()) {
      expect(item.key).toMatch(new RegExp(`^uploads/[0-9a-f-]{36}/${files[i]!.name}$`));
      const res = await fetch(item.link!);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(await files[i]!.arrayBuffer()))).toBe(true);
    }
  });

  it('never hands a secret to a page', async () => {
    const settings = await service.getSettings();
    expect(settings).toMatchObject({ hasSecret: true, hasSessionToken: false });
    // s3rver's secret equals its key ID, so check the shape rather than the text.
    expect(Object.keys(settings.profile!).sort()).toEqual(
      ['accessKeyId', 'bucket', 'endpoint', 'forcePathStyle', 'id', 'keyTemplate', 'kind', 'linkExpirySeconds', 'name', 'region'],
    );
    for (const summary of settings.profiles) expect(summary.profile).not.toHaveProperty('secretAccessKey');
  });

  it('files added for another profile go to its bucket, under its template', async () => {
    const other = await service.saveProfile({
      ...EMPTY_PROFILE,
      name: 'other',
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      bucket: 'other',
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      keyTemplate: 'elsewhere/{name}',
      linkExpirySeconds: 600,
    });
    expect(other).toMatchObject({ saved: true });
    const queue = new UploadQueue({
      backend: uploads,
      transport: fetchTransport(),
      copy: async () => true,
    });
    const file = new File(['to the other bucket'], 'note.txt', { type: 'text/plain' });
    const [id] = queue.add([file], { profileId: other.id });
    await queue.idle();
    const item = queue.snapshot().find((i) => i.id === id)!;
    expect(item).toMatchObject({ status: 'done', key: 'elsewhere/note.txt', profileId: other.id });
    expect(new URL(item.link!).pathname).toBe('/other/elsewhere/note.txt');
    expect(new URL(item.link!).searchParams.get('X-Amz-Expires')).toBe('600');
    const res = await fetch(item.link!);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('to the other bucket');
    // The default did not change.
    expect((await service.getSettings()).profile?.bucket).toBe('fast');
  });
});
