/**
 * The image stage in the pipeline: the background reads the profile's image
 * settings (`fileTreatment`, through the real destinations over in-memory
 * settings), the stage decides from the file's bytes, and the start is asked
 * for the new file's name, type and size. The pixels are drawn by a stand-in
 * codec here (Node has no canvas); the real one is exercised in Chromium
 * (test/e2e/image-stage.test.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createUploadHandlers } from '../../src/background/upload-service';
import type { DecodedPicture, PictureCodec } from '../../src/images/canvas';
import type { Result } from '../../src/result';
import { EMPTY_SERVICE_PROFILE } from '../../src/settings/profile';
import { fileStages } from '../../src/upload/file-stages';
import type { AskTreatment } from '../../src/upload/photo-privacy';
import { runUpload } from '../../src/upload/pipeline';
import type { FileTreatment } from '../../src/upload/ticket';
import { AWS_PROFILE, destinationOpener, fakeServiceDeps, fakeSettings, seedProfile } from '../support/fake-settings';
import { startOnlyBackend } from '../support/upload-backend';

const read = (dir: string, name: string) => new Uint8Array(readFileSync(resolve(import.meta.dirname, '../fixtures', dir, name)));
const blob = (bytes: Uint8Array, type: string) => new Blob([bytes as Uint8Array<ArrayBuffer>], { type });
const WEBP_1024: FileTreatment = { photoPrivacy: 'location', images: { format: 'webp', maxSize: 1024, quality: 85 } };

/** A codec that says each picture is `width` × `height` and "encodes" `bytes` bytes of the type it was asked for (or `wrote`). */
function standInCodec(width: number, height: number, opts: { bytes?: number; wrote?: string; unreadable?: boolean } = {}) {
  const calls: { size: { width: number; height: number }; type: string; quality: number }[] = [];
  const closed: DecodedPicture[] = [];
  const codec: PictureCodec = {
    async decode() {
      if (opts.unreadable) throw new Error('The source image cannot be decoded.');
      const picture: DecodedPicture = { width, height, close: () => closed.push(picture) };
      return picture;
    },
    async encode(_picture, size, type, quality) {
      calls.push({ size, type, quality });
      return new Blob([new Uint8Array(opts.bytes ?? 100)], { type: opts.wrote ?? type });
    },
  };
  return { codec, calls, closed };
}

/** Runs one file through the real pipeline with both stages; the start is refused once it has seen the request. */
async function upload(body: Blob, name: string, ask: AskTreatment, codec: PictureCodec) {
  const { backend, requests } = startOnlyBackend();
  const outcome = await runUpload(
    { body, name, type: body.type, source: 'popup', profileId: 'p' },
    { backend, transport: { put: async () => ({ status: 200, etag: null }) } as never, copy: async () => true, transforms: fileStages(ask, codec) },
  );
  return { outcome, request: requests[0]! };
}

const answering = (treatment: FileTreatment) => vi.fn<AskTreatment>(async () => ({ ok: true, value: treatment }) as Result<FileTreatment>);

describe('the background reads the profile’s image settings', () => {
  it('absent unless the profile sets them, for either kind', async () => {
    const f = fakeSettings();
    await seedProfile(f, { ...AWS_PROFILE });
    await seedProfile(f, { ...AWS_PROFILE, id: 'webp', name: 'webp', imageFormat: 'webp', imageMaxSize: 1024 });
    await seedProfile(f, {
      ...EMPTY_SERVICE_PROFILE,
      id: 'svc',
      name: 'svc',
      serviceUrl: 'https://presign.example.com',
      serviceAuth: 'none',
      imageMaxSize: 2048,
      imageQuality: 60,
    });
    const { deps } = fakeServiceDeps(f, { now: () => new Date('2026-06-01T00:00:00Z') });
    const uploads = createUploadHandlers({ open: destinationOpener(deps), record: async () => {}, now: deps.now, uuid: deps.uuid, ensureRunner: async () => {} });
    expect(await uploads.fileTreatment({ profileId: 'aws' })).toEqual({ ok: true, value: { photoPrivacy: 'location' } });
    expect(await uploads.fileTreatment({ profileId: 'webp' })).toEqual({ ok: true, value: { photoPrivacy: 'location', images: { format: 'webp', maxSize: 1024, quality: 85 } } });
    expect(await uploads.fileTreatment({ profileId: 'svc' })).toEqual({ ok: true, value: { photoPrivacy: 'location', images: { format: 'keep', maxSize: 2048, quality: 60 } } });
  });
});

describe('the stage', () => {
  it('a 2400 × 1600 photo becomes a 1024 × 683 WebP named .webp; the start signs its type and size; one question for both stages', async () => {
    const ask = answering(WEBP_1024);
    const { codec, calls, closed } = standInCodec(2400, 1600, { bytes: 321 });
    const { outcome, request } = await upload(blob(read('photos', 'camera.jpg'), 'image/jpeg'), 'camera.jpg', ask, codec);
    expect(calls).toEqual([{ size: { width: 1024, height: 683 }, type: 'image/webp', quality: 85 }]);
    expect(closed).toHaveLength(1);
    expect(request).toMatchObject({ name: 'camera.webp', type: 'image/webp', size: 321 });
    // Re-encoded: the privacy stage has nothing to clean and says nothing.
    expect(outcome).toMatchObject({ status: 'failed', image: { status: 'converted', format: 'webp', width: 1024, height: 683, resized: true } });
    expect(outcome).not.toHaveProperty('privacy');
    expect(ask).toHaveBeenCalledTimes(1);
  });

  it('an animated GIF goes up byte for byte, and the row says why', async () => {
    const { codec, calls } = standInCodec(24, 16);
    const original = read('pictures', 'animated.gif');
    let sent: Uint8Array | undefined;
    const ask = answering(WEBP_1024);
    const { outcome, request } = await upload(blob(original, 'image/gif'), 'party.gif', ask, {
      ...codec,
      decode: async (b) => {
        sent = new Uint8Array(await b.arrayBuffer());
        return codec.decode(b);
      },
    });
    expect(sent).toBeUndefined();
    expect(calls).toEqual([]);
    expect(request).toMatchObject({ name: 'party.gif', type: 'image/gif', size: original.length });
    expect(outcome).toMatchObject({ image: { status: 'kept', reason: 'animated' } });
  });

  it('an SVG costs no question and is not touched', async () => {
    const ask = answering(WEBP_1024);
    const { codec, calls } = standInCodec(24, 16);
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    const { outcome, request } = await upload(blob(svg, 'image/svg+xml'), 'logo.svg', ask, codec);
    expect(ask).not.toHaveBeenCalled();
    expect(calls).toEqual([]);
    expect(request).toMatchObject({ name: 'logo.svg', type: 'image/svg+xml', size: svg.length });
    expect(outcome).not.toHaveProperty('image');
  });

  it('AVIF where the browser writes PNG instead: the original goes up, still cleaned of its location', async () => {
    const original = read('photos', 'camera.jpg');
    const { codec } = standInCodec(2400, 1600, { wrote: 'image/png' });
    const { outcome, request } = await upload(blob(original, 'image/jpeg'), 'camera.jpg', answering({ photoPrivacy: 'location', images: { format: 'avif', quality: 85 } }), codec);
    expect(request).toMatchObject({ name: 'camera.jpg', type: 'image/jpeg' });
    expect(request.size).toBeLessThanOrEqual(original.length);
    expect(outcome).toMatchObject({ image: { status: 'kept', reason: 'cannot-make', format: 'avif' }, privacy: { status: 'removed', format: 'jpeg' } });
  });

  it('a re-encode that is larger and resized nothing keeps the original; smaller pictures are never enlarged', async () => {
    const original = read('pictures', 'still.png');
    const { codec, calls } = standInCodec(24, 16, { bytes: original.length + 1 });
    const { outcome, request } = await upload(blob(original, 'image/png'), 'tiny.png', answering(WEBP_1024), codec);
    expect(calls[0]!.size).toEqual({ width: 24, height: 16 });
    expect(request).toMatchObject({ name: 'tiny.png', type: 'image/png', size: original.length });
    expect(outcome).toMatchObject({ image: { status: 'kept', reason: 'larger' } });
  });

  it('a picture the browser cannot decode goes up as it is', async () => {
    const original = read('pictures', 'still.bmp');
    const { codec } = standInCodec(0, 0, { unreadable: true });
    const { outcome, request } = await upload(blob(original, 'image/bmp'), 'scan.bmp', answering(WEBP_1024), codec);
    expect(request).toMatchObject({ name: 'scan.bmp', size: original.length });
    expect(outcome).toMatchObject({ image: { status: 'kept', reason: 'unreadable' } });
  });

  it('with the settings off, a photo is only cleaned', async () => {
    const { codec, calls } = standInCodec(2400, 1600);
    const { outcome, request } = await upload(blob(read('photos', 'camera.jpg'), 'image/jpeg'), 'camera.jpg', answering({ photoPrivacy: 'location' }), codec);
    expect(calls).toEqual([]);
    expect(request).toMatchObject({ name: 'camera.jpg', type: 'image/jpeg' });
    expect(outcome).toMatchObject({ privacy: { status: 'removed' } });
    expect(outcome).not.toHaveProperty('image');
  });
});

describe('the profile fields', () => {
  it('Save refuses values no encoder takes; export and import carry them for either kind; the editor keeps them across kinds', async () => {
    const { validateDraft } = await import('../../src/settings/profile-kinds');
    const { exportProfiles, parseImport } = await import('../../src/settings/transfer');
    const { draftOf, editorReducer, initialEditorState } = await import('../../src/ui/profile-editor/draft');
    const errors = validateDraft({ ...AWS_PROFILE, secretAccessKey: 'x', imageFormat: 'gif' as never, imageMaxSize: 5, imageQuality: 0 }, { hasSavedSecret: true });
    expect(errors).toMatchObject({
      imageFormat: 'Choose Keep the format, WebP, JPEG or AVIF.',
      imageMaxSize: 'Enter a whole number of pixels from 16 to 16384, or leave it empty to keep every size.',
      imageQuality: 'Enter a whole number from 1 to 100.',
    });
    const service = { ...EMPTY_SERVICE_PROFILE, id: 's', name: 'svc', serviceUrl: 'https://presign.example.com', serviceAuth: 'none' as const, imageFormat: 'jpeg' as const, imageQuality: 70 };
    const text = exportProfiles([{ ...AWS_PROFILE, imageFormat: 'webp', imageMaxSize: 1024 }, service], new Date('2026-06-01T00:00:00Z'));
    const parsed = parseImport(text, []);
    expect(parsed.problems).toEqual([]);
    expect(parsed.profiles.map((p) => [p.imageFormat, p.imageMaxSize, p.imageQuality])).toEqual([
      ['webp', 1024, undefined],
      ['jpeg', undefined, 70],
    ]);
    expect(parseImport(text.replace('"imageMaxSize": 1024', '"imageMaxSize": "1024"'), []).problems.join(' ')).toContain('Make pictures no larger than');

    let state = initialEditorState(null);
    state = editorReducer(state, { type: 'set', field: 'imageFormat', value: 'webp' });
    state = editorReducer(state, { type: 'set', field: 'imageMaxSize', value: 1024 });
    state = editorReducer(state, { type: 'kind', kind: 'presign-service' });
    expect(draftOf(state)).toMatchObject({ kind: 'presign-service', imageFormat: 'webp', imageMaxSize: 1024 });
  });
});
