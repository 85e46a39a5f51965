import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, PopupPage, saveKeysProfile, type ExtensionBrowser } from '../support/extension';
import { strictLaneAvailable } from '../support/lanes';
import { decodedPixels, exifTags, locationTags, photoReadersAvailable } from '../support/photo-readers';
import { startSwift, type S3Server } from '../support/s3-servers';

const SHOTS = 'test-results/screenshots';
const BUCKET = 'privacy-e2e';
const photo = (name: string) => readFileSync(resolve(import.meta.dirname, '../fixtures/photos', name));

/**
 * The privacy stage as a user meets it: a profile saved with the default
 * settings, photos chosen (and pasted) in the popup of the built extension in
 * Debian's Chromium, uploaded to Swift's s3api (which checks every
 * signature, so the signed size must be the cleaned file's). The objects are
 * read back through their share links and judged by ExifTool and Pillow,
 * which share no code with the rewriters.
 */
describe.skipIf(!strictLaneAvailable() || !photoReadersAvailable())('photo privacy, Chromium end to end', () => {
  let s3: S3Server;
  let ext: ExtensionBrowser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    s3 = await startSwift({ buckets: [BUCKET] });
    ext = await launchExtension({ hostOrigins: [`${s3.endpoint}/*`] });
    await saveKeysProfile(ext, s3, BUCKET);
  });
  afterAll(async () => {
    await ext?.close();
    await s3?.stop();
  });

  it.each([
    { file: 'camera.jpg', mimeType: 'image/jpeg', how: 'chosen' },
    { file: 'camera.png', mimeType: 'image/png', how: 'chosen' },
    { file: 'camera.webp', mimeType: 'image/webp', how: 'pasted' },
  ])('$file, $how with the default settings, comes back without GPS, the same way up, with the same pixels', async ({ file, mimeType, how }) => {
    const original = photo(file);
    const before = exifTags(original, file);
    expect(before['EXIF:GPSLatitude']).toBeCloseTo(48.858222, 5);

    const popup = await PopupPage.open(ext);
    if (how === 'pasted') await popup.paste({ name: file, mimeType, bytes: [...original] });
    else await popup.choose([{ name: file, mimeType, buffer: original }]);
    const link = await popup.linkFor(file);
    const row = popup.page.getByRole('listitem').filter({ hasText: file });
    await expect.poll(() => row.textContent()).toContain('Location removed');
    await row.screenshot({ path: `${SHOTS}/popup-privacy-${file.replace('.', '-')}.png` });
    await popup.page.close();

    const response = await fetch(link);
    expect(response.status).toBe(200);
    const stored = new Uint8Array(await response.arrayBuffer());
    const after = exifTags(stored, file);
    expect(locationTags(after)).toEqual([]);
    expect(after['EXIF:Orientation']).toBe(before['EXIF:Orientation']);
    expect(after['EXIF:Make']).toBe('ExampleCam');
    expect(after['ICC_Profile:ProfileDescription']).toBe('sRGB built-in');
    expect(decodedPixels(stored, file)).toBe(decodedPixels(original, file));
  });
});
