import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backgroundSize, popupSize } from '../../bench/lib/bundle';

const OUTPUT = resolve(import.meta.dirname, '../../.output');
const KiB = 1024;

/**
 * Bundle sizes are deterministic, unlike timings, so their budgets are held
 * here (gzip -9, what `npm run bench` reports as rows 5a and 5b). `npm test`
 * makes the release builds before this runs.
 */
describe('bundle budgets (gzip -9)', () => {
  it.each(['chrome-mv3', 'firefox-mv2'])('%s: the popup, everything it loads before it draws, is at most 15 KiB', (dir) => {
    const popup = popupSize(join(OUTPUT, dir));
    expect(popup.files.length).toBeGreaterThan(1);
    expect(popup.total, popup.files.map((f) => `${f.file} ${f.gzip} B`).join(', ')).toBeLessThanOrEqual(15 * KiB);
  });

  // The budget is 80 KiB, which the background misses: the AWS SDK alone is about 62 KiB of it (bench/README.md,
  // Results). Until it is met, this keeps it from growing unnoticed: 97 KiB before Check my bucket, whose checks and
  // four more S3 commands (lifecycle, versioning, Object Lock) brought Chrome's to 104.9 and Firefox's to 106.7;
  // its checksum, Auto-delete (GetObjectTagging) and presign-service lines to 107.7 and 109.4. The photo privacy
  // stage's byte-level JPEG, PNG and WebP rewriters run in the background too, for right-clicked images and
  // screenshots (+4.5 KiB), and checking that a timed-out join did complete takes the SDK's MD5 (+1.1 KiB). The image
  // stage (resize and convert, for right-clicks and screenshots too) took Chrome's to 116.2 and Firefox's to 118.1;
  // full-page capture and the {path} token of folder uploads to 117.8 and 119.3.
  // Per-part checksums (hashing right-clicks and screenshots, signing Content-MD5, BadDigest, verified) to 118.7 and 120.0.
  it.each(['chrome-mv3', 'firefox-mv2'])('%s: the background does not grow past 121 KiB', (dir) => {
    const background = backgroundSize(join(OUTPUT, dir));
    expect(background.total, background.files.map((f) => `${f.file} ${f.gzip} B`).join(', ')).toBeLessThanOrEqual(121 * KiB);
  });
});
