import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/s3/client';
import { launchExtension, OptionsPage, PopupPage, serverFields, type ExtensionBrowser } from '../support/extension';
import { connectionTo, startS3rver, type S3Server } from '../support/s3-servers';

const SHOTS = 'test-results/screenshots';
const BUCKET = 'folders-e2e';

/** The chosen folder: 3 levels below `trip`, 50 files, by folder. Hidden ones beside them are left out. */
const TREE: Record<string, string[]> = {
  'trip/': ['itinerary.txt', 'budget 2026.csv', 'README'],
  'trip/day1/': Array.from({ length: 12 }, (_, i) => `IMG_${1000 + i}.jpg`),
  'trip/day1/raw/': Array.from({ length: 10 }, (_, i) => `IMG_${1000 + i}.CR2`),
  'trip/day2/': ['notes #2.md', 'map (old).png', ...Array.from({ length: 8 }, (_, i) => `clip-${i}.mp4`)],
  'trip/day2/night sky/': Array.from({ length: 15 }, (_, i) => `star ${i}.tif`),
};
const HIDDEN = ['trip/.DS_Store', 'trip/day1/.DS_Store', 'trip/.git/HEAD', 'trip/.git/config'];
const EXPECTED = Object.entries(TREE)
  .flatMap(([folder, names]) => names.map((name) => `${folder}${name}`))
  .sort();

/** What each file holds: its own path, so a file in the wrong place is caught by its bytes too. */
const contentOf = (path: string) => `This is ${path}.\n`.repeat(40);

/**
 * A chosen folder in Debian's Chromium, with the built extension on s3rver:
 * every file lands under `drop/{path}{name}` with the tree it had, hidden
 * files stay home, and the clipboard gets one link a line.
 */
describe('folders, Chromium end to end', () => {
  let s3: S3Server;
  let ext: ExtensionBrowser;
  let dir: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 's3drop-folder-'));
    for (const path of [...EXPECTED, ...HIDDEN]) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), contentOf(path));
    }
    expect(EXPECTED).toHaveLength(50);
    s3 = await startS3rver({ buckets: [BUCKET] });
    ext = await launchExtension({ hostOrigins: [`${s3.endpoint}/*`] });
    const options = await OptionsPage.open(ext);
    await options.fill({ name: 'Trips', ...serverFields(s3, BUCKET) });
    await options.page.getByLabel('Object key template').fill('drop/{path}{name}');
    expect(await options.save()).toMatch(/^Saved/);
    await options.page.close();
  });
  afterAll(async () => {
    await ext?.close();
    await s3?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The picked folder's files, as the popup got them: one folder row, then every file in its place under `drop/`. */
  async function expectTreeUploaded(popup: PopupPage, shot: string) {
    await popup.page.getByText('Left out 3 hidden files or folders').waitFor();
    // Newest row first: the folder just given (the runner keeps the earlier test's rows).
    const row = popup.page.getByRole('listitem').filter({ hasText: /^trip/ }).first();
    await row.getByText(/^50 of 50 files uploaded \(.+\)\. Their links are copied, one a line\.$/).waitFor({ timeout: 120_000 });

    const client = createS3Client(connectionTo(s3, BUCKET));
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'drop/' }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(EXPECTED.map((path) => `drop/${path}`));
    for (const path of EXPECTED) {
      const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `drop/${path}` }));
      expect(await got.Body!.transformToString(), path).toBe(contentOf(path));
    }

    // One link a line, each downloading its own file.
    const lines = (await popup.clipboard()).split('\n');
    expect(lines).toHaveLength(50);
    const keys = lines.map((link) => decodeURIComponent(new URL(link).pathname.replace(`/${BUCKET}/`, '')));
    expect(keys.sort()).toEqual(EXPECTED.map((path) => `drop/${path}`));
    const sample = lines.find((link) => link.includes('night%20sky'))!;
    const res = await fetch(sample);
    expect(await res.text()).toBe(contentOf(decodeURIComponent(new URL(sample).pathname.replace(`/${BUCKET}/drop/`, ''))));

    // Every file's own link is in the row, by its path.
    await expect(row.getByLabel('Share link for trip/day2/night sky/star 14.tif').inputValue()).resolves.toMatch(/night%20sky\/star%2014\.tif/);
    await popup.page.screenshot({ path: `${SHOTS}/${shot}.png` });

    // Emptied for the next way in: the template never overwrites, so a second upload would get new names.
    for (const path of EXPECTED) await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `drop/${path}` }));
  }

  it('a chosen folder of 3 levels and 50 files lands under {path} with the same tree; the clipboard has every link', async () => {
    const popup = await PopupPage.open(ext);
    await popup.page.getByLabel('Choose folder…').setInputFiles(join(dir, 'trip'));
    await expectTreeUploaded(popup, 'popup-folder');
    await popup.page.close();
  });

  it('a dropped folder is walked from its entries: the same tree, one row, hidden files left out', async () => {
    const popup = await PopupPage.open(ext);
    // Top-level rows of the uploads list (each folder row holds a list of its own files).
    const folderRows = popup.page.locator('ul.uploads > li.folder');
    const rowsBefore = await folderRows.count();
    // A real drag from the disk: the drop carries a directory entry, not 50 loose files.
    await popup.dropPaths([join(dir, 'trip')]);
    // The new row is there (newest first), so the checks below read it and not the chosen folder's.
    await folderRows.nth(rowsBefore).waitFor();
    await expectTreeUploaded(popup, 'popup-folder-dropped');
    // One row for the whole folder, not one per file.
    await expect(folderRows.count()).resolves.toBe(rowsBefore + 1);
    await popup.page.close();
  });
});
