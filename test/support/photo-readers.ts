/**
 * Independent readers of photos, for tests: ExifTool (Debian's
 * libimage-exiftool-perl) for the metadata, Pillow (python3-pil) for the
 * decoded pixels. Neither shares any code with S3 Drop's rewriters.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';

/** Whether both readers are installed; in CI a missing one is a failure, elsewhere a skip with a line saying what to install. */
export function photoReadersAvailable(): boolean {
  const exiftool = spawnSync('exiftool', ['-ver']).status === 0;
  const pil = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import PIL']).status === 0;
  if (exiftool && pil) return true;
  const install = 'apt-get install -y libimage-exiftool-perl python3-pil';
  if (process.env.CI) throw new Error(`CI: the photo tests need ExifTool and Pillow (${install}).`);
  console.warn(`Skipping photo tests: ${install} to run them.`);
  return false;
}

function withFile<T>(bytes: Uint8Array, name: string, read: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 's3drop-photo-'));
  try {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return read(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every tag ExifTool reads, as `exiftool -j -G -n` prints them (group:name → number or text), file-system tags left out. */
export function exifTags(bytes: Uint8Array, name = 'photo.bin'): Record<string, unknown> {
  return withFile(bytes, name, (path) => {
    const out = execFileSync('exiftool', ['-j', '-G', '-n', path], { encoding: 'utf8' });
    const tags = (JSON.parse(out) as Record<string, unknown>[])[0]!;
    for (const key of Object.keys(tags)) if (key.startsWith('File:File') || key.startsWith('File:Directory') || key === 'SourceFile') delete tags[key];
    return tags;
  });
}

/** Tag names (group included) that name a location. */
export const locationTags = (tags: Record<string, unknown>) => Object.keys(tags).filter((k) => /GPS/i.test(k));

/** The decoded picture as Pillow sees it: size, mode and a SHA-256 of its pixels (no orientation applied). */
export function decodedPixels(bytes: Uint8Array, name = 'photo.bin'): string {
  return withFile(bytes, name, (path) =>
    execFileSync(
      PYTHON,
      ['-c', 'import sys, hashlib\nfrom PIL import Image\nim = Image.open(sys.argv[1]); im.load()\nprint(im.size, im.mode, hashlib.sha256(im.tobytes()).hexdigest())', path],
      { encoding: 'utf8' },
    ).trim(),
  );
}
