import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// The real pipeline, watched: every call goes through to it unchanged.
vi.mock('../../src/upload/pipeline', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/upload/pipeline')>();
  return { ...actual, runUpload: vi.fn(actual.runUpload) };
});

import { createHistoryHandlers, createHistoryRecorder, createUploadRecorder, serialHistory } from '../../src/background/history-service';
import { fetchImageFromNetwork } from '../../src/background/page-image';
import { ownStorageHosts } from '../../src/capture/own-storage';
import { saveImage, type SaveDeps } from '../../src/capture/save-from-page';
import type { HistoryEntry } from '../../src/messaging/protocol';
import { fetchTransport } from '../../src/upload/fetch-transport';
import { runUpload, type UploadBackend } from '../../src/upload/pipeline';
import { UploadQueue, type UploadItem } from '../../src/upload/queue';
import type { UploadSource } from '../../src/upload/ticket';
import { fakeSettings } from '../support/fake-settings';
import { startImageSite, type ImageSite } from '../support/image-site';
import { strictLaneAvailable } from '../support/lanes';
import { realBackground, saveServerProfile, type RealBackground } from '../support/real-background';
import { startSwift, type S3Server } from '../support/s3-servers';
import { readPng, screenshotPng } from '../support/screenshot-png';
import { ok } from '../support/results';

const BUCKET = 'one-pipeline';
const MiB = 1024 * 1024;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

async function bytesAt(url: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

/**
 * A right-clicked image and a file picked in the popup, at the same time, to
 * one profile on Swift's s3api (which verifies every signature): both go
 * through the one pipeline function (`runUpload`), the context menu's from
 * the background, the popup's from the upload queue, over the same upload
 * handlers and destination. The image is a 2.6 MB screenshot-like PNG with
 * EXIF, fetched by the background from another origin; the popup's file is
 * large enough to go up in parts.
 */
describe.skipIf(!strictLaneAvailable())('one pipeline for the context menu and the popup (Swift s3api)', () => {
  let s3: S3Server;
  let site: ImageSite;
  let background: RealBackground;
  let history: ReturnType<typeof createHistoryHandlers>;
  let stored: HistoryEntry[] = [];
  const warnings: string[] = [];
  const settings = fakeSettings();
  let profileId = '';

  beforeAll(async () => {
    [s3, site] = await Promise.all([startSwift({ buckets: [BUCKET] }), startImageSite()]);
    const historyStorage = {
      ...serialHistory({
        load: async () => structuredClone(stored),
        save: async (entries) => {
          stored = structuredClone(entries);
        },
      }),
      loadLimit: async () => 500,
      saveLimit: async () => {},
      loadProfiles: settings.deps.loadProfiles,
    };
    // As start.ts records finished uploads: one at a time, a warning when the history cannot keep one.
    const record = createUploadRecorder({
      addToHistory: createHistoryRecorder(historyStorage),
      warn: async (title, sentence) => {
        warnings.push(`${title} ${sentence}`);
      },
    });
    background = realBackground(settings, { record });
    history = createHistoryHandlers({ ...historyStorage, open: background.open, now: () => new Date() });
    profileId = await saveServerProfile(background.service, s3, BUCKET, {
      keyTemplate: 'drop/{host}/{uuid}/{name}',
      linkExpirySeconds: 3600,
      // The popup's 9 MiB file goes up in parts; the 2.6 MB image in one PUT.
      multipartThresholdMiB: 8,
    });
  });
  afterAll(async () => {
    await site?.stop();
    await s3?.stop();
  });

  it('a right-clicked image and a popup file go through the same runUpload, land byte for byte, and are both in the history', async () => {
    const screenshot = screenshotPng();
    // The fixture is a whole PNG with its EXIF, checked without the code under test.
    expect(readPng(screenshot.bytes)).toMatchObject({ width: 2560, height: 1440, chunks: expect.arrayContaining(['eXIf', 'IDAT']) });
    expect(screenshot.bytes.length).toBeGreaterThan(2 * MiB);
    const imagePath = '/shots/Screenshot%202024-03-05%20at%2007.08.09.png';
    site.serve(imagePath, { headers: { 'content-type': 'image/png', 'content-length': String(screenshot.bytes.length) }, body: screenshot.bytes });
    const archive = new File([new Uint8Array(randomBytes(9 * MiB))], 'site backup.tar', { type: 'application/x-tar' });

    // One set of upload handlers behind both sources, counting what each source asks of it.
    const asked: { source: UploadSource; call: 'start' | 'finish'; transfer?: string }[] = [];
    const { uploads } = background;
    const backend: UploadBackend = {
      async startUpload(request) {
        const started = await uploads.startUpload(request);
        asked.push({ source: request.source, call: 'start', ...(started.ok ? { transfer: started.value.transfer.kind } : {}) });
        return started;
      },
      signPut: (ticket) => uploads.signPut(ticket),
      signParts: (request) => uploads.signParts(request),
      async finishUpload(request) {
        asked.push({ source: request.source, call: 'finish' });
        return uploads.finishUpload(request);
      },
      abortUpload: (ticket) => uploads.abortUpload(ticket),
    };
    const transport = fetchTransport();

    // The context menu's side, as start.ts wires it.
    const copiedByBackground: string[] = [];
    const permissionAsked: string[][] = [];
    const pageReads: string[] = [];
    const notified: { link: string; copied: boolean; detail: string }[] = [];
    const failures: string[] = [];
    const saveDeps: SaveDeps = {
      pipeline: {
        backend,
        transport,
        copy: async (text) => {
          copiedByBackground.push(text);
          return true;
        },
      },
      readInPage: async (_target, url) => {
        pageReads.push(url);
        throw new Error('the background holds the permission: the page is not asked');
      },
      fetchImage: (url) => fetchImageFromNetwork(url, { forbiddenHosts: ownStorageHosts(settings.profiles.profiles) }),
      hasHostPermission: async () => true,
      requestHostPermission: async (origins) => {
        permissionAsked.push(origins);
        return true;
      },
      notifySuccess: async (delivered, detail) => {
        notified.push({ ...delivered, detail });
      },
      notifyFailure: async (title, message) => {
        failures.push(`${title}: ${message}`);
      },
      now: () => new Date(),
    };

    // The popup's side: its queue (the upload runner's), with its own clipboard.
    const copiedByPopup: string[] = [];
    const queue = new UploadQueue({
      backend,
      transport,
      copy: async (text) => {
        copiedByPopup.push(text);
        return true;
      },
    });

    const pageUrl = `${site.origin}/article/launch?id=7#comments`;
    const [saved] = await Promise.all([
      saveImage(saveDeps, { srcUrl: `${site.otherOrigin}${imagePath}`, pageUrl, tabId: 4, frameId: 0 }),
      (async () => {
        queue.add([archive]);
        await queue.idle();
      })(),
    ]);

    // The same function ran once for each source, with the same upload handlers behind it.
    const runs = vi.mocked(runUpload).mock.calls.map(([input, deps]) => ({ source: input.source, size: input.body.size, backend: deps.backend }));
    expect(runs.map(({ source, size }) => [source, size]).sort()).toEqual([
      ['image', screenshot.bytes.length],
      ['popup', archive.size],
    ]);
    for (const run of runs) expect(run.backend).toBe(backend);
    // One start and one finish each: the image in one PUT, the popup's file in parts.
    expect(asked.filter((a) => a.call === 'start').map((a) => [a.source, a.transfer]).sort()).toEqual([
      ['image', 'single'],
      ['popup', 'multipart'],
    ]);
    expect(asked.filter((a) => a.call === 'finish').map((a) => a.source).sort()).toEqual(['image', 'popup']);

    // The image: fetched by the background from its origin (permission asked in the click), never through the page.
    expect(failures).toEqual([]);
    expect(pageReads).toEqual([]);
    expect(permissionAsked).toEqual([['http://127.0.0.1/*']]);
    expect(site.otherRequests.filter((path) => path === imagePath)).toHaveLength(1);
    expect(saved).toMatchObject({ status: 'done', copied: true });
    if (saved?.status !== 'done') throw new Error('the image was not saved');
    const imageName = 'Screenshot 2024-03-05 at 07.08.09.png';
    expect(saved.key).toMatch(new RegExp(`^drop/127\\.0\\.0\\.1/${UUID}/${imageName.replace(/\./g, '\\.')}$`));
    expect(copiedByBackground).toEqual([saved.link]);
    expect(notified).toEqual([{ link: saved.link, copied: true, detail: expect.stringMatching(/^Screenshot 2024-03-05 at 07\.08\.09\.png · .+; link valid for 1 hour$/) }]);

    // The popup's file: done, its link on the popup's clipboard.
    const [item] = queue.snapshot() as UploadItem[];
    expect(item).toMatchObject({ status: 'done', name: 'site backup.tar', copied: true });
    expect(item!.key).toMatch(new RegExp(`^drop/local/${UUID}/site backup\\.tar$`));
    expect(copiedByPopup).toEqual([item!.link]);

    // Both read back byte for byte through their share links (signed GETs Swift checks).
    const image = await bytesAt(saved.link);
    expect([image.status, image.type]).toEqual([200, 'image/png']);
    expect(image.bytes.equals(screenshot.bytes)).toBe(true);
    const file = await bytesAt(item!.link!);
    expect([file.status, file.type]).toEqual([200, 'application/x-tar']);
    expect(file.bytes.equals(Buffer.from(await archive.arrayBuffer()))).toBe(true);

    // Both are in the history, recorded by the background as each finished.
    expect(warnings).toEqual([]);
    const view = ok(await history.listHistory({ profileId }));
    expect(view.total).toBe(2);
    const bySource = Object.fromEntries(view.entries.map((e) => [e.source, e]));
    expect(bySource.image).toMatchObject({
      profileId,
      key: saved.key,
      name: imageName,
      size: screenshot.bytes.length,
      type: 'image/png',
      linkExpiresAt: saved.linkExpiresAt,
      // The page's address without its query or fragment.
      pageUrl: `${site.origin}/article/launch`,
    });
    expect(bySource.popup).toMatchObject({ profileId, key: item!.key, name: 'site backup.tar', size: archive.size, type: 'application/x-tar' });
    expect(bySource.popup).not.toHaveProperty('pageUrl');
    // And each entry's fresh link reads the same bytes again.
    for (const [entry, original] of [
      [bySource.image!, screenshot.bytes],
      [bySource.popup!, Buffer.from(await archive.arrayBuffer())],
    ] as const) {
      const again = await bytesAt(ok(await history.freshLink({ historyId: entry.id })).url);
      expect(again.status).toBe(200);
      expect(again.bytes.equals(original)).toBe(true);
    }
  });
});
