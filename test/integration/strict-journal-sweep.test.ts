import { ListMultipartUploadsCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepJournal } from '../../src/background/journal-sweep';
import { addEntry } from '../../src/history/history';
import type { HistoryEntry } from '../../src/messaging/protocol';
import { createS3Client } from '../../src/s3/client';
import { fetchTransport } from '../../src/upload/fetch-transport';
import type { JournalEntry } from '../../src/upload/journal';
import { runUpload } from '../../src/upload/pipeline';
import type { PutTransport } from '../../src/upload/transport';
import { fakeSettings } from '../support/fake-settings';
import { strictLaneAvailable } from '../support/lanes';
import { memoryJournal } from '../support/memory-journal';
import { realBackground, saveServerProfile, type RealBackground } from '../support/real-background';
import { connectionTo, startSwift, type S3Server } from '../support/s3-servers';

const BUCKET = 'journal-sweep';
const MiB = 1024 * 1024;
const DAY = 24 * 60 * 60 * 1000;

/**
 * The start-up sweep against Swift's s3api, with the real upload handlers:
 * unfinished uploads whose journal entries are more than seven days old are
 * aborted on the server, so their parts stop costing money, and leave a line
 * in the history; a younger one stays, to be resumed.
 *
 * The entries are the journal's own: the real pipeline writes them while it
 * uploads, on a clock set back, and is stopped after its first part as a
 * browser killed mid-upload would be (its later parts never come back).
 */
describe.skipIf(!strictLaneAvailable())('the 7-day journal sweep, strict S3', () => {
  let s3: S3Server;
  let background: RealBackground;
  let profileId: string;

  const client = () => createS3Client(connectionTo(s3, BUCKET));
  const openUploads = async () => (await client().send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? [];

  /** A transport whose first part goes to the server and whose others never come back: the browser died meanwhile. */
  function diesAfterFirstPart(): PutTransport {
    const real = fetchTransport();
    let first = true;
    return {
      put(request) {
        if (!first) return new Promise(() => {});
        first = false;
        return real.put(request);
      },
    };
  }

  /** Starts a 20 MiB upload (two parts) journaled at `at`; returns the journal's entry once its first part is in. */
  async function interruptedUpload(journal: ReturnType<typeof memoryJournal>, name: string, at: number): Promise<JournalEntry> {
    const file = new File([new Uint8Array(randomBytes(20 * MiB))], name, { type: 'video/mp4', lastModified: at });
    void runUpload(
      { body: file, name, type: file.type, source: 'popup', profileId },
      { backend: background.uploads, transport: diesAfterFirstPart(), copy: async () => true, journal, now: () => at },
    );
    await expect.poll(async () => (await journal.list()).find((e) => e.name === name)?.parts.length, { timeout: 30_000 }).toBe(1);
    return (await journal.list()).find((e) => e.name === name)!;
  }

  beforeAll(async () => {
    s3 = await startSwift({ buckets: [BUCKET] });
    background = realBackground(fakeSettings());
    profileId = await saveServerProfile(background.service, s3, BUCKET, { multipartThresholdMiB: 8 });
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('aborts the week-old upload on the server with a line in the history, and keeps the younger one', async () => {
    const now = Date.now();
    const journal = memoryJournal();
    const old = await interruptedUpload(journal, 'eight days.mp4', now - 8 * DAY);
    const young = await interruptedUpload(journal, 'one day.mp4', now - DAY);
    expect(old.updatedAt).toBe(now - 8 * DAY);
    // Both are on the server, each with the part that went up.
    expect((await openUploads()).map((u) => u.UploadId).sort()).toEqual([old.uploadId, young.uploadId].sort());
    const oldParts = await client().send(new ListPartsCommand({ Bucket: BUCKET, Key: old.key, UploadId: old.uploadId }));
    expect(oldParts.Parts?.map((p) => p.PartNumber)).toEqual([1]);

    let history: HistoryEntry[] = [];
    const swept = await sweepJournal({
      journal,
      discard: (request) => background.uploads.discardUpload(request),
      addToHistory: async (entry) => {
        history = addEntry(history, entry);
      },
      now: () => now,
    });

    expect(swept).toEqual({ discarded: [old.id], kept: [] });
    expect((await openUploads()).map((u) => u.UploadId)).toEqual([young.uploadId]);
    expect(journal.ids()).toEqual([young.id]);
    expect(history).toEqual([
      expect.objectContaining({ id: old.id, profileId, name: 'eight days.mp4', key: old.key, size: 20 * MiB, at: now - 8 * DAY, deletedAt: now }),
    ]);

    // The younger one is thrown away too once it is old enough: ListMultipartUploads ends empty.
    const later = await sweepJournal({
      journal,
      discard: (request) => background.uploads.discardUpload(request),
      addToHistory: async (entry) => {
        history = addEntry(history, entry);
      },
      now: () => now + 7 * DAY,
    });
    expect(later).toEqual({ discarded: [young.id], kept: [] });
    expect(await openUploads()).toEqual([]);
    expect(journal.ids()).toEqual([]);
    expect(history.map((h) => h.name).sort()).toEqual(['eight days.mp4', 'one day.mp4']);
  });
});
