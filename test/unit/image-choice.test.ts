/**
 * The image choice made in the popup for the files added next: how it
 * replaces the profile's settings, how it is checked (it comes from a page),
 * how the background answers with it, and that the queue carries it from the
 * `add` to the question each file asks.
 */
import { describe, expect, it } from 'vitest';
import { createUploadHandlers } from '../../src/background/upload-service';
import { chooseImages, imageChoiceErrors, imageChoiceOf, imageChoiceProblems, type ImageChoice } from '../../src/images/choice';
import { UploadQueue } from '../../src/upload/queue';
import type { TransformContext } from '../../src/upload/pipeline';
import { AWS_PROFILE, destinationOpener, fakeServiceDeps, fakeSettings, seedProfile } from '../support/fake-settings';
import { startOnlyBackend } from '../support/upload-backend';

const WEBP_1024: ImageChoice = { format: 'webp', maxSize: 1024, quality: 80 };

describe('the choice the popup starts from', () => {
  it('is the profile’s settings, with the defaults spelt out', () => {
    expect(imageChoiceOf({})).toEqual({ format: 'keep', quality: 85 });
    expect(imageChoiceOf({ imageFormat: 'jpeg', imageMaxSize: 2048, imageQuality: 60 })).toEqual({ format: 'jpeg', maxSize: 2048, quality: 60 });
  });
});

describe('the choice over the profile’s settings', () => {
  const profileWebp = { format: 'webp', maxSize: 2048, quality: 85 } as const;

  it('no choice: the profile’s settings, or nothing', () => {
    expect(chooseImages(profileWebp, undefined)).toEqual({ ok: true, images: profileWebp });
    expect(chooseImages(undefined, undefined)).toEqual({ ok: true, images: undefined });
  });

  it('a choice replaces the profile’s whole: its own size and quality, and no size means any size', () => {
    expect(chooseImages(undefined, WEBP_1024)).toEqual({ ok: true, images: { format: 'webp', maxSize: 1024, quality: 80 } });
    expect(chooseImages(profileWebp, { format: 'avif', quality: 50 })).toEqual({ ok: true, images: { format: 'avif', quality: 50 } });
  });

  it('Keep at any size over a profile that converts: pictures go up as they are', () => {
    expect(chooseImages(profileWebp, { format: 'keep', quality: 85 })).toEqual({ ok: true, images: undefined });
    // Keep with a size still makes pictures smaller, in their own format.
    expect(chooseImages(profileWebp, { format: 'keep', maxSize: 800, quality: 85 })).toEqual({ ok: true, images: { format: 'keep', maxSize: 800, quality: 85 } });
  });

  it('a choice out of range is refused, field by field, with the profile editor’s sentences', () => {
    expect(chooseImages(profileWebp, { format: 'webp', maxSize: 8, quality: 85 })).toEqual({ ok: false, problems: { imageMaxSize: true } });
    expect(chooseImages(profileWebp, { format: 'webp', maxSize: 1024.5, quality: 0 })).toEqual({ ok: false, problems: { imageMaxSize: true, imageQuality: true } });
    expect(chooseImages(profileWebp, { format: 'gif' as never, quality: 85 })).toEqual({ ok: false, problems: { imageFormat: true } });
    expect(imageChoiceErrors({ imageMaxSize: true, imageQuality: true })).toEqual({
      imageMaxSize: 'Enter a whole number of pixels from 16 to 16384, or leave it empty to keep every size.',
      imageQuality: 'Enter a whole number from 1 to 100.',
    });
  });

  it('what a page could send instead of a choice is refused too: NaN (null once it crossed as JSON), missing fields, not an object', () => {
    expect(imageChoiceProblems({ format: 'webp', quality: Number.NaN })).toEqual({ imageQuality: true });
    expect(imageChoiceProblems({ format: 'webp', quality: null } as never)).toEqual({ imageQuality: true });
    expect(imageChoiceProblems({ quality: 85 } as never)).toEqual({ imageFormat: true });
    expect(chooseImages(undefined, 'webp' as never)).toMatchObject({ ok: false });
    expect(chooseImages(undefined, null as never)).toMatchObject({ ok: false });
  });
});

describe('the background answers with the popup’s choice', () => {
  async function handlers() {
    const f = fakeSettings();
    await seedProfile(f, { ...AWS_PROFILE });
    await seedProfile(f, { ...AWS_PROFILE, id: 'jpeg', name: 'jpeg', imageFormat: 'jpeg', imageMaxSize: 2048, photoPrivacy: 'all' });
    const { deps } = fakeServiceDeps(f, { now: () => new Date('2026-06-01T00:00:00Z') });
    return createUploadHandlers({ open: destinationOpener(deps), record: async () => {}, now: deps.now, uuid: deps.uuid, ensureRunner: async () => {} });
  }

  it('over a profile that keeps pictures, and over one that converts them; the privacy choice stays the profile’s', async () => {
    const uploads = await handlers();
    expect(await uploads.fileTreatment({ profileId: 'aws', images: WEBP_1024 })).toEqual({
      ok: true,
      value: { photoPrivacy: 'location', images: { format: 'webp', maxSize: 1024, quality: 80 } },
    });
    expect(await uploads.fileTreatment({ profileId: 'jpeg', images: { format: 'keep', quality: 85 } })).toEqual({ ok: true, value: { photoPrivacy: 'all' } });
    expect(await uploads.fileTreatment({ profileId: 'jpeg' })).toEqual({ ok: true, value: { photoPrivacy: 'all', images: { format: 'jpeg', maxSize: 2048, quality: 85 } } });
  });

  it('a choice out of range fails the file with a sentence that says what to fix', async () => {
    const uploads = await handlers();
    const answer = await uploads.fileTreatment({ profileId: 'aws', images: { format: 'webp', maxSize: 5, quality: 85 } });
    expect(answer).toMatchObject({ ok: false, error: { code: 'InvalidSettings' } });
    expect(!answer.ok && answer.error.message).toBe(
      'The image options chosen in the popup cannot be used, so nothing was uploaded. Enter a whole number of pixels from 16 to 16384, or leave it empty to keep every size.',
    );
  });
});

describe('the queue carries the choice to each file’s question', () => {
  it('files added with a choice ask with it (a retry too); files added without ask for the profile’s', async () => {
    const { backend } = startOnlyBackend();
    const asked: TransformContext[] = [];
    const queue = new UploadQueue({
      backend,
      transport: { put: async () => ({ status: 200, etag: null }) } as never,
      copy: async () => true,
      transforms: [
        async (file, _signal, context) => {
          asked.push(context);
          return file;
        },
      ],
    });
    const [first] = queue.add([new File(['a'], 'a.jpg', { type: 'image/jpeg' })], { profileId: 'aws', images: WEBP_1024 });
    queue.add([new File(['b'], 'b.jpg', { type: 'image/jpeg' })], { profileId: 'aws' });
    await queue.idle();
    expect(asked).toEqual([{ profileId: 'aws', images: WEBP_1024 }, { profileId: 'aws' }]);
    // The start-only backend refuses every start: the first file failed, and its retry keeps its choice.
    expect(queue.snapshot()[0]).toMatchObject({ status: 'failed', images: WEBP_1024 });
    queue.retry(first!);
    await queue.idle();
    expect(asked[2]).toEqual({ profileId: 'aws', images: WEBP_1024 });
  });
});
