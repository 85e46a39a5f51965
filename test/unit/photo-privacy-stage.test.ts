/**
 * The privacy stage in the pipeline: the background reads the profile's
 * choice (`fileTreatment`, through the real destinations over in-memory
 * settings), the stage cleans the bytes where they are, and the start is
 * asked for the cleaned file's size. ExifTool reads the bytes that would go up.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createUploadHandlers } from '../../src/background/upload-service';
import { privacyNote } from '../../src/privacy/words';
import type { Result } from '../../src/result';
import { EMPTY_SERVICE_PROFILE } from '../../src/settings/profile';
import { photoPrivacyStage, type AskTreatment } from '../../src/upload/photo-privacy';
import { runUpload } from '../../src/upload/pipeline';
import type { FileTreatment } from '../../src/upload/ticket';
import { AWS_PROFILE, destinationOpener, fakeServiceDeps, fakeSettings, seedProfile } from '../support/fake-settings';
import { startOnlyBackend } from '../support/upload-backend';
import { exifTags, locationTags, photoReadersAvailable } from '../support/photo-readers';

const photo = (name: string) => new Uint8Array(readFileSync(resolve(import.meta.dirname, '../fixtures/photos', name)));
const blob = (bytes: Uint8Array, type: string) => new Blob([bytes as Uint8Array<ArrayBuffer>], { type });
const answer = (photoPrivacy: FileTreatment['photoPrivacy']): AskTreatment => vi.fn(async () => ({ ok: true, value: { photoPrivacy } }) as Result<FileTreatment>);
const signal = new AbortController().signal;

describe('the background reads the profile’s choice', () => {
  async function handlers() {
    const f = fakeSettings();
    await seedProfile(f, { ...AWS_PROFILE });
    await seedProfile(f, { ...AWS_PROFILE, id: 'all', name: 'all', photoPrivacy: 'all' });
    await seedProfile(f, { ...EMPTY_SERVICE_PROFILE, id: 'svc', name: 'svc', serviceUrl: 'https://presign.example.com', serviceAuth: 'none', photoPrivacy: 'keep' });
    const { deps } = fakeServiceDeps(f, { now: () => new Date('2026-06-01T00:00:00Z') });
    return createUploadHandlers({ open: destinationOpener(deps), record: async () => {}, now: deps.now, uuid: deps.uuid, ensureRunner: async () => {} });
  }

  it('location by default, else what each profile says, for either kind; an unknown profile fails as a start would', async () => {
    const uploads = await handlers();
    expect(await uploads.fileTreatment({ profileId: 'aws' })).toEqual({ ok: true, value: { photoPrivacy: 'location' } });
    expect(await uploads.fileTreatment({ profileId: 'all' })).toEqual({ ok: true, value: { photoPrivacy: 'all' } });
    expect(await uploads.fileTreatment({ profileId: 'svc' })).toEqual({ ok: true, value: { photoPrivacy: 'keep' } });
    expect(await uploads.fileTreatment({ profileId: 'gone' })).toMatchObject({ ok: false });
  });
});

describe('the stage', () => {
  it('a file that is not a photo costs no question and is not touched', async () => {
    const ask = answer('all');
    const file = { body: blob(new TextEncoder().encode('%PDF-1.7\n'), 'image/jpeg'), name: 'a.jpg', type: 'image/jpeg' };
    expect(await photoPrivacyStage(ask)(file, signal, {})).toBe(file);
    expect(ask).not.toHaveBeenCalled();
  });

  it('keep: the photo goes as it is, with nothing to say', async () => {
    const file = { body: blob(photo('camera.jpg'), 'image/jpeg'), name: 'camera.jpg', type: 'image/jpeg' };
    expect(await photoPrivacyStage(answer('keep'))(file, signal, { profileId: 'p' })).toBe(file);
  });

  it('HEIC: unchanged, and the row says the location could not be removed', async () => {
    const body = blob(new Uint8Array([0, 0, 0, 24, ...Buffer.from('ftypheic\0\0\0\0mif1heic'), ...new Uint8Array(1000)]), 'image/heic');
    const out = await photoPrivacyStage(answer('location'))({ body, name: 'IMG_0001.HEIC', type: 'image/heic' }, signal, {});
    expect(out.body).toBe(body);
    expect(privacyNote(out.privacy)).toBe('Location could not be removed from this HEIC file');
  });

  it('a damaged photo goes up untouched, with a note', async () => {
    const bytes = photo('camera.png');
    bytes[bytes.length - 30]! ^= 0xff; // inside IDAT: its CRC no longer matches
    const body = blob(bytes, 'image/png');
    const out = await photoPrivacyStage(answer('location'))({ body, name: 'a.png', type: 'image/png' }, signal, {});
    expect(out.body).toBe(body);
    expect(privacyNote(out.privacy)).toBe('Location not removed: the photo’s details could not be read, so it went up unchanged');
  });

  it('the background is asked for the profile the file goes to', async () => {
    const ask = answer('location');
    await photoPrivacyStage(ask)({ body: blob(photo('camera.jpg'), 'image/jpeg'), name: 'c.jpg', type: 'image/jpeg' }, signal, { profileId: 'p2' });
    expect(ask).toHaveBeenCalledWith({ profileId: 'p2' });
  });
});

describe.runIf(photoReadersAvailable())('in the pipeline', () => {
  it('the start is asked for the cleaned photo, whose bytes have no location; the outcome says so', async () => {
    // Refused, so the test ends at the start: what was asked is the point.
    const { backend, requests } = startOnlyBackend();
    let sent: Blob | undefined;
    const original = photo('camera.webp');
    const outcome = await runUpload(
      { body: blob(original, 'image/webp'), name: 'camera.webp', type: 'image/webp', source: 'popup', profileId: 'p' },
      {
        backend,
        transport: { put: async () => ({ status: 200, etag: null }) } as never,
        copy: async () => true,
        transforms: [
          photoPrivacyStage(answer('all')),
          async (file) => {
            sent = file.body;
            return file;
          },
        ],
      },
    );
    expect(outcome).toMatchObject({ status: 'failed', privacy: { status: 'removed', mode: 'all', format: 'webp' } });
    const cleaned = new Uint8Array(await sent!.arrayBuffer());
    expect(requests[0]!.size).toBe(cleaned.length);
    expect(cleaned.length).toBeLessThan(original.length);
    const tags = exifTags(cleaned, 'camera.webp');
    expect(locationTags(tags)).toEqual([]);
    expect(tags['EXIF:Orientation']).toBe(6);
    expect(tags['EXIF:Make']).toBeUndefined();
  });
});

describe('the profile field', () => {
  it('Save refuses an unknown choice; an export carries the choice, for either kind, and an import checks it', async () => {
    const { validateDraft } = await import('../../src/settings/profile-kinds');
    const { exportProfiles, parseImport } = await import('../../src/settings/transfer');
    const draft = { ...AWS_PROFILE, secretAccessKey: 'x', photoPrivacy: 'blur' as never };
    expect(validateDraft(draft, { hasSavedSecret: true }).photoPrivacy).toBe('Choose what to remove from photos before they go up.');
    const service = { ...EMPTY_SERVICE_PROFILE, id: 's', name: 'svc', serviceUrl: 'https://presign.example.com', serviceAuth: 'none' as const, photoPrivacy: 'keep' as const };
    const text = exportProfiles([{ ...AWS_PROFILE, photoPrivacy: 'all' }, service], new Date('2026-06-01T00:00:00Z'));
    const parsed = parseImport(text, []);
    expect(parsed.problems).toEqual([]);
    expect(parsed.profiles.map((p) => p.photoPrivacy)).toEqual(['all', 'keep']);
    const bad = parseImport(text.replace('"all"', '"blur"'), []);
    expect(bad.problems.join(' ')).toContain('Choose what to remove from photos');
  });

  it('the editor keeps the choice when the kind changes, and sends it with either kind', async () => {
    const { draftOf, editorReducer, initialEditorState } = await import('../../src/ui/profile-editor/draft');
    let state = initialEditorState(null);
    state = editorReducer(state, { type: 'set', field: 'photoPrivacy', value: 'all' });
    expect(draftOf(state).photoPrivacy).toBe('all');
    state = editorReducer(state, { type: 'kind', kind: 'presign-service' });
    expect(draftOf(state)).toMatchObject({ kind: 'presign-service', photoPrivacy: 'all' });
  });
});
