import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, PopupPage, saveKeysProfile, type ExtensionBrowser } from '../support/extension';
import { strictLaneAvailable } from '../support/lanes';
import { startSwift, type S3Server } from '../support/s3-servers';

const SHOTS = 'test-results/screenshots';
const BUCKET = 'image-options-e2e';
const PYTHON = '/usr/bin/python3';

/** A large photo-like JPEG made by Pillow (not by S3 Drop): `width` × `height`, noisy enough to weigh what a photo weighs. */
function photo(width: number, height: number, seed: number): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 's3drop-options-'));
  try {
    const path = join(dir, 'photo.jpg');
    const script = `
import sys, random
from PIL import Image
random.seed(${seed})
w, h = ${width}, ${height}
img = Image.blend(Image.linear_gradient('L').resize((w, h)).convert('RGB'), Image.effect_noise((w, h), 40).convert('RGB'), 0.3)
img.save(sys.argv[1], quality=92)
`;
    execFileSync(PYTHON, ['-c', script, path]);
    return readFileSync(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pillow's reading of a picture: its format and size. */
function pillowReads(bytes: Uint8Array): { format: string; width: number; height: number } {
  const dir = mkdtempSync(join(tmpdir(), 's3drop-options-'));
  try {
    const path = join(dir, 'picture');
    writeFileSync(path, bytes);
    const out = execFileSync(PYTHON, ['-c', 'import sys, json\nfrom PIL import Image\nim = Image.open(sys.argv[1])\nprint(json.dumps({"format": im.format, "width": im.size[0], "height": im.size[1]}))', path], {
      encoding: 'utf8',
    });
    return JSON.parse(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The popup's own image options, in Debian's Chromium with the built
 * extension, on Swift's s3api (which checks every signature: the type and size
 * signed must be the converted file's). The profile keeps pictures as they
 * are; the choice made in the popup applies to the files added next.
 */
describe.skipIf(!strictLaneAvailable())('image options in the popup, Chromium end to end', () => {
  let s3: S3Server;
  let ext: ExtensionBrowser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    s3 = await startSwift({ buckets: [BUCKET] });
    ext = await launchExtension({ hostOrigins: [`${s3.endpoint}/*`] });
    // The profile as it comes: pictures keep their format and size.
    await saveKeysProfile(ext, s3, BUCKET);
  });
  afterAll(async () => {
    await ext?.close();
    await s3?.stop();
  });

  it('WebP at 1024 px chosen in the popup converts the next photo; back at Keep, the one after goes up unchanged', async () => {
    const popup = await PopupPage.open(ext);
    const page = popup.page;
    await page.getByText('Image options').click();
    const format = page.getByLabel('Convert pictures to');
    // Started from the profile's settings.
    await expect(format.inputValue()).resolves.toBe('keep');
    await expect(page.getByLabel('Picture quality (1–100)').inputValue()).resolves.toBe('85');
    await format.selectOption('webp');
    await page.getByLabel('Make pictures no larger than (pixels)').fill('1024');

    // A size out of range is said at once, by the field.
    await page.getByLabel('Picture quality (1–100)').fill('0');
    await page.getByText('Enter a whole number from 1 to 100.').waitFor();
    await page.getByLabel('Picture quality (1–100)').fill('80');
    await expect(page.getByText('Enter a whole number from 1 to 100.').count()).resolves.toBe(0);

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: `${SHOTS}/popup-image-options-${scheme}.png` });
    }
    await page.emulateMedia({ colorScheme: 'light' });

    const big = photo(3000, 2000, 3000);
    await popup.choose([{ name: 'DSC_3000.jpg', mimeType: 'image/jpeg', buffer: big }]);
    const link = await popup.linkFor('DSC_3000.jpg');
    const row = page.getByRole('listitem').filter({ hasText: 'DSC_3000.jpg' });
    await expect.poll(() => row.textContent()).toContain('Converted to WebP, 1024 × 683');
    expect(new URL(link).pathname).toMatch(/DSC_3000\.webp$/);
    const converted = await fetch(link);
    expect(converted.headers.get('content-type')).toBe('image/webp');
    const stored = new Uint8Array(await converted.arrayBuffer());
    expect(stored.length).toBeLessThan(big.length);
    expect(pillowReads(stored)).toEqual({ format: 'WEBP', width: 1024, height: 683 });

    // Back to the profile's way: the next file goes up byte for byte.
    await format.selectOption('keep');
    await page.getByLabel('Make pictures no larger than (pixels)').fill('');
    const second = photo(3000, 2000, 3001);
    await popup.choose([{ name: 'DSC_3001.jpg', mimeType: 'image/jpeg', buffer: second }]);
    const kept = await popup.linkFor('DSC_3001.jpg');
    expect(new URL(kept).pathname).toMatch(/DSC_3001\.jpg$/);
    const keptResponse = await fetch(kept);
    expect(keptResponse.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await keptResponse.arrayBuffer()).equals(second)).toBe(true);
    await expect(page.getByRole('listitem').filter({ hasText: 'DSC_3001.jpg' }).textContent()).resolves.not.toMatch(/Converted|Made smaller/);
    await page.close();
  });
});
