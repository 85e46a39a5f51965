import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSettings } from '../support/fake-settings';
import { strictLaneAvailable } from '../support/lanes';
import { realBackground, saveServerProfile, type RealBackground } from '../support/real-background';
import { ok } from '../support/results';
import { startSwift, type S3Server } from '../support/s3-servers';

const BUCKET = 'abort-twice';
const MiB = 1024 * 1024;

/**
 * Throwing a multipart upload away is asked for from more than one place (a
 * cancel, a failed part, a failed join). Against a server that checks every
 * signature and answers `NoSuchUpload` for an upload already gone, the second
 * ask must count as done, not as a failure with a sentence.
 */
describe.skipIf(!strictLaneAvailable())('aborting a multipart upload, strict S3', () => {
  let s3: S3Server;
  let background: RealBackground;

  beforeAll(async () => {
    s3 = await startSwift({ buckets: [BUCKET] });
    background = realBackground(fakeSettings());
    await saveServerProfile(background.service, s3, BUCKET, { multipartThresholdMiB: 8 });
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('an upload already thrown away is thrown away again without a complaint', async () => {
    const started = ok(await background.uploads.startUpload({ name: 'clip.mp4', type: 'video/mp4', size: 20 * MiB, source: 'popup' }));
    expect(started.transfer.kind).toBe('multipart');
    expect(started.ticket.uploadId).toBeTruthy();
    expect(ok(await background.uploads.abortUpload(started.ticket))).toBeNull();
    // Swift now answers NoSuchUpload for it: still done.
    expect(await background.uploads.abortUpload(started.ticket)).toEqual({ ok: true, value: null });
    // And it really is gone: its parts can no longer be signed into a join.
    const joined = await background.uploads.finishUpload({ ticket: started.ticket, parts: [], name: 'clip.mp4', source: 'popup' });
    expect(joined.ok).toBe(false);
  });
});
