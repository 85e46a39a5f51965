/**
 * `runUpload`, the one pipeline every source goes through, over the real
 * background upload service (`createUploadHandlers`) and an in-memory bucket
 * behind its destination. The backend's calls are the messages a popup file
 * sends to the background; their counts per file are part of the contract.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { LOCKED, NOT_CONFIGURED } from '../../src/destination/connection';
import { runUpload, type PipelineDeps, type PipelineHooks, type UploadInput } from '../../src/upload/pipeline';
import { MiB } from '../../src/upload/part-plan';
import type { UploadStart } from '../../src/upload/ticket';
import { UploadAbortedError, type PutRequest, type PutResponse } from '../../src/upload/transport';
import { deferred, FakeTransport, fakeUploadBackend } from '../support/upload-backend';

const ACCESS_DENIED = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';

function setup(over: Partial<PipelineDeps> = {}) {
  const log: string[] = [];
  const fake = fakeUploadBackend({ log });
  const transport = new FakeTransport(log);
  const copy = vi.fn(async (text: string) => {
    log.push(`copy ${text}`);
    return true;
  });
  const deps: PipelineDeps = { backend: fake.backend, transport, copy, ...over };
  return { fake, transport, copy, deps, log };
}

const input = (body: Blob, name: string, over: Partial<UploadInput> = {}): UploadInput => ({ body, name, type: body.type, source: 'popup', ...over });

/** A file of `parts` distinct 8 MiB parts (every byte of part n is n) plus `tail` bytes: each part's body can be told apart. */
function partedFile(parts: number, tail: number): Blob {
  const chunks: Blob[] = [];
  for (let n = 1; n <= parts; n++) chunks.push(new Blob([new Uint8Array(8 * MiB).fill(n)]));
  if (tail) chunks.push(new Blob([new Uint8Array(tail).fill(parts + 1)]));
  return new Blob(chunks, { type: 'video/mp4' });
}

/** S3's answer to an UploadPart: the ETag names the part, so the joined list can be checked against what was sent. */
const partAnswer = async (request: PutRequest): Promise<PutResponse> => {
  const n = new URL(request.url).searchParams.get('partNumber');
  request.onProgress?.(request.body.size);
  return { status: 200, body: '', etag: `"part-${n}"` };
};

const partOf = (url: string) => Number(new URL(url).searchParams.get('partNumber'));
const firstByte = async (blob: Blob) => new Uint8Array(await blob.slice(0, 1).arrayBuffer())[0];

describe('runUpload: one PUT', () => {
  it('one message starts the file, its URL carries the bytes, one message finishes it: 2 messages in all', async () => {
    const { fake, transport, copy, deps, log } = setup();
    const started: UploadStart[] = [];
    const body = new Blob(['%PDF-1.7 quarterly report'], { type: 'application/pdf' });
    const outcome = await runUpload(input(body, 'Q3 report.pdf', { pageUrl: 'https://intranet.example/reports' }), deps, {
      onStarted: (start) => started.push(start),
    });

    // The message counts of a single PUT: one startUpload, one finishUpload, nothing else.
    expect(fake.counts()).toEqual({ startUpload: 1, finishUpload: 1 });
    expect(fake.backend.startUpload.mock.calls).toEqual([
      [
        {
          name: 'Q3 report.pdf',
          type: 'application/pdf',
          size: body.size,
          source: 'popup',
          pageUrl: 'https://intranet.example/reports',
          // Hashed before the start, so the PUT's URL is signed with it.
          md5: createHash('md5').update('%PDF-1.7 quarterly report').digest('base64'),
        },
      ],
    ]);
    // The PUT used the URL the start carried.
    expect(started).toHaveLength(1);
    const start = started[0]!;
    expect(start.transfer.kind).toBe('single');
    expect(transport.calls.map((c) => c.url)).toEqual([start.transfer.kind === 'single' ? start.transfer.put.url : '']);
    expect(await transport.calls[0]!.body.text()).toBe('%PDF-1.7 quarterly report');
    expect(transport.calls[0]!.headers).toEqual({ 'content-type': 'application/pdf' });
    // The finish names the file and its page, and has no parts to join.
    expect(fake.backend.finishUpload.mock.calls).toEqual([
      [{ ticket: start.ticket, name: 'Q3 report.pdf', source: 'popup', pageUrl: 'https://intranet.example/reports' }],
    ]);
    expect(start.ticket).toEqual({ id: 'uuid-2', profileId: 'default', key: 'up/Q3 report.pdf', contentType: 'application/pdf', size: body.size });

    const link = 'http://127.0.0.1:9000/my-bucket/up/Q3 report.pdf?get';
    // The profile copies the plain link (its default form).
    expect(outcome).toEqual({
      status: 'done',
      id: 'uuid-2',
      profileId: 'default',
      key: 'up/Q3 report.pdf',
      // The file as stored.
      name: 'Q3 report.pdf',
      size: body.size,
      contentType: 'application/pdf',
      link,
      copyText: link,
      linkExpiresAt: expect.any(Number),
      lifetimeSeconds: 86_400,
      copied: true,
    });
    expect(copy.mock.calls).toEqual([[link]]);
    // Start, bytes, finish (the history is written there), then the clipboard.
    expect(log).toEqual(['startUpload', 'put', 'finishUpload', 'record', `copy ${link}`]);
    expect(fake.recorded).toEqual([
      {
        id: 'uuid-2',
        source: 'popup',
        name: 'Q3 report.pdf',
        size: body.size,
        type: 'application/pdf',
        status: 'done',
        at: expect.any(Number),
        key: 'up/Q3 report.pdf',
        profileId: 'default',
        linkExpiresAt: outcome.status === 'done' ? outcome.linkExpiresAt : -1,
        pageUrl: 'https://intranet.example/reports',
      },
    ]);
  });

  it('the link lifetime asked for goes to the finish only; a page’s content to download is signed as such', async () => {
    const { fake, deps } = setup();
    const svg = new Blob(['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'], { type: 'application/octet-stream' });
    const outcome = await runUpload(input(svg, 'logo.svg', { source: 'image', download: true, expiresIn: 3600 }), deps);
    expect(outcome).toMatchObject({ status: 'done', lifetimeSeconds: 3600 });
    expect(fake.backend.startUpload.mock.calls[0]![0]).toMatchObject({ download: true });
    expect(fake.backend.startUpload.mock.calls[0]![0]).not.toHaveProperty('expiresIn');
    expect(fake.destination.signPut.mock.calls[0]![1]).toMatchObject({ downloadAs: 'logo.svg', contentType: 'application/octet-stream' });
    expect(fake.backend.finishUpload.mock.calls[0]![0]).toMatchObject({ expiresIn: 3600, source: 'image' });
    expect(fake.destination.shareLink.mock.calls[0]![1]).toEqual({ key: 'up/logo.svg', fileName: 'logo.svg', contentType: 'application/octet-stream', expiresIn: 3600 });
  });

  it('a URL that expired on the way is signed again with one more message (3 in all)', async () => {
    const { fake, transport, deps } = setup();
    transport.scripts.push(async () => ({ status: 403, body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' }));
    const outcome = await runUpload(input(new Blob(['slow']), 'slow.txt'), deps);
    expect(outcome.status).toBe('done');
    expect(fake.messages).toEqual(['startUpload', 'signPut', 'finishUpload']);
    expect(fake.backend.signPut.mock.calls[0]![0]).toEqual(fake.backend.finishUpload.mock.calls[0]![0].ticket);
    expect(transport.calls[1]!.url).not.toBe(transport.calls[0]!.url);
  });
});

describe('runUpload: multipart', () => {
  it('uses the start’s 16 part URLs without asking, signs the rest by message, and hands the parts to the finish', async () => {
    const { fake, transport, deps } = setup();
    fake.profiles.multipart = true;
    // 18 parts of 8 MiB (the last 1 KiB): above the 64 MiB threshold.
    const body = partedFile(17, 1024);
    transport.scripts.push(...Array.from({ length: 18 }, () => partAnswer));
    const started: UploadStart[] = [];
    const outcome = await runUpload(input(body, 'talk.mp4'), deps, { onStarted: (s) => started.push(s) });
    expect(outcome).toMatchObject({ status: 'done', key: 'up/talk.mp4' });

    // One start, one signParts for parts 17–18, one finish.
    expect(fake.counts()).toEqual({ startUpload: 1, signParts: 1, finishUpload: 1 });
    const start = started[0]!;
    if (start.transfer.kind !== 'multipart') throw new Error('expected a multipart start');
    expect(start.transfer).toMatchObject({ uploadId: 'mp-1', partSize: 8 * MiB });
    expect(start.transfer.parts.map((p) => p.partNumber)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(fake.backend.signParts.mock.calls).toEqual([
      [
        {
          ticket: start.ticket,
          parts: [
            { partNumber: 17, size: 8 * MiB },
            { partNumber: 18, size: 1024 },
          ],
        },
      ],
    ]);

    // Each part went to the URL signed for it: 1–16 from the start, 17–18 from the message.
    const fromStart = new Map(start.transfer.parts.map((p) => [p.partNumber, p.url]));
    const signedLater = new Map((await fake.backend.signParts.mock.results[0]!.value).value.map((p: { partNumber: number; url: string }) => [p.partNumber, p.url]));
    expect(transport.calls).toHaveLength(18);
    for (const call of transport.calls) {
      const n = partOf(call.url);
      expect(call.url).toBe(n <= 16 ? fromStart.get(n) : signedLater.get(n));
      expect(call.body.size).toBe(n === 18 ? 1024 : 8 * MiB);
      expect(await firstByte(call.body)).toBe(n);
    }

    // The finish carries every part's ETag in order; the background joins exactly those, and knows the file's size
    // (17 parts of 8 MiB and 1 KiB) to check a join whose answer is lost.
    const parts = Array.from({ length: 18 }, (_, i) => ({ PartNumber: i + 1, ETag: `"part-${i + 1}"` }));
    expect(fake.backend.finishUpload.mock.calls).toEqual([[{ ticket: { ...start.ticket, uploadId: 'mp-1' }, parts, name: 'talk.mp4', source: 'popup' }]]);
    expect(fake.destination.complete.mock.calls).toEqual([['default', { key: 'up/talk.mp4', uploadId: 'mp-1', parts, size: 17 * 8 * MiB + 1024 }]]);
    expect(fake.destination.abort).not.toHaveBeenCalled();
  });

  it('a file of 16 parts or fewer needs no message between start and finish', async () => {
    const { fake, transport, deps } = setup();
    Object.assign(fake.profiles, { multipart: true, multipartThreshold: 1 * MiB });
    transport.scripts.push(partAnswer, partAnswer, partAnswer);
    const outcome = await runUpload(input(partedFile(2, 4 * MiB), 'clip.mp4'), deps);
    expect(outcome.status).toBe('done');
    expect(fake.messages).toEqual(['startUpload', 'finishUpload']);
    expect(transport.calls.map((c) => partOf(c.url)).sort()).toEqual([1, 2, 3]);
    expect(fake.backend.finishUpload.mock.calls[0]![0].parts).toEqual([1, 2, 3].map((n) => ({ PartNumber: n, ETag: `"part-${n}"` })));
  });

  it('start’s part URLs that are about to run out are signed again by message, not used', async () => {
    const { fake, transport, deps } = setup();
    Object.assign(fake.profiles, { multipart: true, multipartThreshold: 1 * MiB });
    const sign = fake.destination.signParts.getMockImplementation()!;
    // The start's URLs have 30 s left: too little to start a part with.
    fake.destination.signParts.mockImplementationOnce(async (profileId, target) => {
      const signed = await sign(profileId, target);
      return signed.ok ? { ok: true, value: signed.value.map((p) => ({ ...p, url: `${p.url}&short`, expiresAt: Date.now() + 30_000 })) } : signed;
    });
    transport.scripts.push(partAnswer, partAnswer);
    const outcome = await runUpload(input(partedFile(1, 1024), 'clip.mp4'), deps);
    expect(outcome.status).toBe('done');
    expect(fake.messages).toEqual(['startUpload', 'signParts', 'finishUpload']);
    expect(transport.calls.map((c) => c.url).filter((u) => u.endsWith('&short'))).toEqual([]);
  });

  it('a part S3 refuses fails the upload with its sentence and the parts are thrown away (one abort message)', async () => {
    const { fake, transport, deps } = setup();
    Object.assign(fake.profiles, { multipart: true, multipartThreshold: 1 * MiB });
    transport.scripts.push(async () => ({ status: 403, body: ACCESS_DENIED }));
    const outcome = await runUpload(input(partedFile(1, 1024), 'clip.mp4'), deps);
    expect(outcome).toMatchObject({ status: 'failed', key: 'up/clip.mp4', error: { code: 'AccessDenied' } });
    if (outcome.status !== 'failed') return;
    expect(outcome.error.message).toMatch(/^These keys are not allowed to upload in bucket "my-bucket".*s3:PutObject/);
    expect(fake.counts()).toEqual({ startUpload: 1, abortUpload: 1 });
    expect(fake.destination.abort.mock.calls).toEqual([['default', { key: 'up/clip.mp4', uploadId: 'mp-1' }]]);
    expect(fake.recorded).toEqual([]);
  });
});

describe('runUpload: a locked vault', () => {
  it('locked: the file waits, asks again once unlocked, and then goes up', async () => {
    const { fake, transport, deps } = setup();
    fake.profiles.locked = true;
    const asked = deferred();
    const unlock = deferred();
    const whenLocked = vi.fn(async (signal: AbortSignal) => {
      expect(signal.aborted).toBe(false);
      asked.resolve();
      await unlock.promise;
    });
    const events: string[] = [];
    const hooks: PipelineHooks = { onWaiting: () => events.push('waiting'), onStarted: () => events.push('started') };
    const running = runUpload(input(new Blob(['notes']), 'notes.txt'), { ...deps, whenLocked }, hooks);
    await asked.promise;
    expect(events).toEqual(['waiting']);
    expect(transport.calls).toEqual([]);
    fake.profiles.locked = false;
    unlock.resolve();
    expect(await running).toMatchObject({ status: 'done', key: 'up/notes.txt' });
    expect(events).toEqual(['waiting', 'started']);
    expect(whenLocked).toHaveBeenCalledTimes(1);
    expect(fake.messages).toEqual(['startUpload', 'startUpload', 'finishUpload']);
  });

  it('without a way to wait (the context menu), a locked vault fails with its sentence', async () => {
    const { fake, transport, deps } = setup();
    fake.profiles.locked = true;
    const outcome = await runUpload(input(new Blob(['notes']), 'notes.txt'), deps);
    expect(outcome).toEqual({ status: 'failed', error: LOCKED });
    expect(LOCKED.message).toBe('S3 Drop is locked. Click the S3 Drop button in the toolbar and enter your passphrase; nothing is uploaded until then.');
    expect(transport.calls).toEqual([]);
  });

  it('cancel while waiting ends it as cancelled without asking again', async () => {
    const { fake, deps } = setup();
    fake.profiles.locked = true;
    const abort = new AbortController();
    const whenLocked = (signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve());
        abort.abort();
      });
    expect(await runUpload(input(new Blob(['a']), 'a.txt'), { ...deps, whenLocked }, { signal: abort.signal })).toEqual({ status: 'cancelled' });
    expect(fake.messages).toEqual(['startUpload']);
  });
});

describe('runUpload: cancel', () => {
  it('cancel while the background starts a multipart upload aborts the upload it created', async () => {
    const { fake, transport, deps } = setup();
    Object.assign(fake.profiles, { multipart: true, multipartThreshold: 1 * MiB });
    const abort = new AbortController();
    const answer = fake.backend.startUpload.getMockImplementation()!;
    fake.backend.startUpload.mockImplementationOnce(async (request) => {
      const started = await answer(request);
      // The user pressed Cancel while the background was creating it.
      abort.abort();
      return started;
    });
    const outcome = await runUpload(input(partedFile(1, 1024), 'clip.mp4'), deps, { signal: abort.signal });
    expect(outcome).toEqual({ status: 'cancelled' });
    expect(fake.destination.create).toHaveBeenCalledTimes(1);
    expect(fake.messages).toEqual(['startUpload', 'abortUpload']);
    expect(fake.destination.abort.mock.calls).toEqual([['default', { key: 'up/clip.mp4', uploadId: 'mp-1' }]]);
    expect(transport.calls).toEqual([]);
  });

  it('cancel while a single PUT starts leaves nothing to abort and sends no byte', async () => {
    const { fake, transport, deps } = setup();
    const abort = new AbortController();
    const answer = fake.backend.startUpload.getMockImplementation()!;
    fake.backend.startUpload.mockImplementationOnce(async (request) => {
      const started = await answer(request);
      abort.abort();
      return started;
    });
    expect(await runUpload(input(new Blob(['a']), 'a.txt'), deps, { signal: abort.signal })).toEqual({ status: 'cancelled' });
    expect(fake.messages).toEqual(['startUpload']);
    expect(transport.calls).toEqual([]);
  });

  it('cancel pressed as a single PUT is stored: the file is finished (the history has it), nothing is copied', async () => {
    const { fake, transport, copy, deps } = setup();
    const abort = new AbortController();
    transport.scripts.push(async (request) => {
      request.onProgress?.(request.body.size);
      // The bytes are stored when the cancel arrives: there is nothing left to stop.
      abort.abort();
      return { status: 200, body: '', etag: '"stored"' };
    });
    expect(await runUpload(input(new Blob(['kept']), 'kept.txt'), deps, { signal: abort.signal })).toEqual({ status: 'cancelled' });
    expect(fake.counts()).toEqual({ startUpload: 1, finishUpload: 1 });
    expect(fake.recorded.map((r) => [r.name, r.key])).toEqual([['kept.txt', 'up/kept.txt']]);
    expect(copy).not.toHaveBeenCalled();
  });

  it('cancel while parts are on their way aborts the multipart upload once', async () => {
    const { fake, transport, deps } = setup();
    Object.assign(fake.profiles, { multipart: true, multipartThreshold: 1 * MiB });
    const abort = new AbortController();
    const sending = deferred();
    const held = (request: PutRequest) =>
      new Promise<PutResponse>((_resolve, reject) => {
        request.signal?.addEventListener('abort', () => reject(new UploadAbortedError()));
        sending.resolve();
      });
    transport.scripts.push(held, held);
    const running = runUpload(input(partedFile(1, 1024), 'clip.mp4'), deps, { signal: abort.signal });
    await sending.promise;
    abort.abort();
    expect(await running).toEqual({ status: 'cancelled' });
    expect(fake.counts()).toEqual({ startUpload: 1, abortUpload: 1 });
    expect(fake.destination.abort.mock.calls).toEqual([['default', { key: 'up/clip.mp4', uploadId: 'mp-1' }]]);
    expect(fake.backend.finishUpload).not.toHaveBeenCalled();
  });
});

describe('runUpload: failures are sentences, never throws', () => {
  it('nothing set up: the start’s sentence, no key', async () => {
    const { fake, transport, deps } = setup();
    fake.profiles.ids = [];
    expect(await runUpload(input(new Blob(['a']), 'a.txt'), deps)).toEqual({ status: 'failed', error: NOT_CONFIGURED });
    expect(transport.calls).toEqual([]);
  });

  it('a PUT refused by S3: the sentence names the bucket and the permission; the key is kept; no finish', async () => {
    const { fake, transport, copy, deps } = setup();
    transport.scripts.push(async () => ({ status: 403, body: ACCESS_DENIED }));
    const outcome = await runUpload(input(new Blob(['a']), 'a.txt'), deps);
    expect(outcome).toEqual({
      status: 'failed',
      key: 'up/a.txt',
      error: {
        code: 'AccessDenied',
        message: 'These keys are not allowed to upload in bucket "my-bucket": the key\'s policy must allow s3:PutObject on arn:aws:s3:::my-bucket/*.',
        transient: false,
      },
    });
    expect(fake.messages).toEqual(['startUpload']);
    expect(copy).not.toHaveBeenCalled();
  });

  it('a presign service’s URL refused by S3 is the service’s to fix, and says so', async () => {
    const { fake, transport, deps } = setup();
    fake.profiles.signer = 'service';
    transport.scripts.push(async () => ({ status: 403, body: ACCESS_DENIED }));
    const outcome = await runUpload(input(new Blob(['a']), 'a.txt'), deps);
    expect(outcome).toMatchObject({
      status: 'failed',
      error: {
        code: 'AccessDenied',
        message: "127.0.0.1:9000 refused the presign service's URL (AccessDenied): the service's own keys may not upload (s3:PutObject) there. Tell whoever runs the service.",
      },
    });
  });

  it('a link that cannot be signed fails the file, though it is stored and in the history', async () => {
    const { fake, copy, deps } = setup();
    fake.destination.shareLink.mockResolvedValueOnce({ ok: false, error: LOCKED });
    const outcome = await runUpload(input(new Blob(['a']), 'a.txt'), deps);
    expect(outcome).toEqual({ status: 'failed', key: 'up/a.txt', error: LOCKED });
    expect(copy).not.toHaveBeenCalled();
    expect(fake.recorded.map((r) => [r.key, r.status])).toEqual([['up/a.txt', 'done']]);
    expect(fake.recorded[0]).not.toHaveProperty('linkExpiresAt');
  });

  it('an unexpected throw (a message that got no answer) becomes a sentence with its reason', async () => {
    const { fake, deps } = setup();
    fake.backend.finishUpload.mockRejectedValueOnce(new Error('Could not establish connection. Receiving end does not exist.'));
    const outcome = await runUpload(input(new Blob(['a']), 'a.txt'), deps);
    expect(outcome).toEqual({
      status: 'failed',
      key: 'up/a.txt',
      error: { code: 'Unexpected', message: 'The upload failed: Could not establish connection. Receiving end does not exist.', transient: false },
    });
  });

  it('a clipboard that refuses or throws leaves the upload done, not copied', async () => {
    const { deps } = setup({ copy: vi.fn().mockResolvedValueOnce(false).mockRejectedValueOnce(new Error('Document is not focused.')) });
    expect(await runUpload(input(new Blob(['a']), 'a.txt'), deps)).toMatchObject({ status: 'done', copied: false });
    expect(await runUpload(input(new Blob(['b']), 'b.txt'), deps)).toMatchObject({ status: 'done', copied: false });
  });
});

describe('runUpload: transforms', () => {
  it('run in order before the key is decided; the start, the key and the bytes are what the last one gave', async () => {
    const order: string[] = [];
    const { fake, transport, deps } = setup({
      transforms: [
        async (file) => {
          order.push(`strip ${file.name} ${file.body.size}`);
          // Drops the 6-byte metadata block at the front (as stripping EXIF does).
          return { ...file, body: file.body.slice(6, file.body.size, file.type) };
        },
        async (file) => {
          order.push(`convert ${file.name} ${file.body.size}`);
          return { body: new Blob([await file.body.arrayBuffer()], { type: 'image/webp' }), name: file.name.replace(/\.jpe?g$/, '.webp'), type: 'image/webp' };
        },
      ],
    });
    const answer = fake.backend.startUpload.getMockImplementation()!;
    fake.backend.startUpload.mockImplementation(async (request) => {
      order.push(`start ${request.name} ${request.size}`);
      return answer(request);
    });
    const outcome = await runUpload(input(new Blob(['EXIF::pixels'], { type: 'image/jpeg' }), 'holiday.jpg'), deps);
    expect(order).toEqual(['strip holiday.jpg 12', 'convert holiday.jpg 6', 'start holiday.webp 6']);
    expect(outcome).toMatchObject({ status: 'done', key: 'up/holiday.webp' });
    expect(fake.backend.startUpload.mock.calls[0]![0]).toMatchObject({ name: 'holiday.webp', type: 'image/webp', size: 6 });
    expect(await transport.calls[0]!.body.text()).toBe('pixels');
    expect(transport.calls[0]!.headers['content-type']).toBe('image/webp');
    expect(fake.backend.finishUpload.mock.calls[0]![0].name).toBe('holiday.webp');
  });

  it('cancel during a transform: cancelled, and the background never hears of the file', async () => {
    const abort = new AbortController();
    const { fake, deps } = setup({
      transforms: [
        async (file, signal) => {
          abort.abort();
          expect(signal.aborted).toBe(true);
          return file;
        },
      ],
    });
    expect(await runUpload(input(new Blob(['a']), 'a.txt'), deps, { signal: abort.signal })).toEqual({ status: 'cancelled' });
    expect(fake.messages).toEqual([]);
  });
});
