import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { NOT_CONFIGURED } from '../../src/destination/connection';
import type { UserError } from '../../src/result';
import { UploadQueue, type QueueDeps, type UploadItem } from '../../src/upload/queue';
import { formatBytes, formatEta, SpeedMeter } from '../../src/upload/speed';
import { UploadAbortedError, type PutResponse } from '../../src/upload/transport';
import { deferred, FakeTransport, fakeUploadBackend } from '../support/upload-backend';

/**
 * A queue over the real pipeline and the real background upload service, with
 * an in-memory bucket behind its destination. `extra` adds or replaces deps.
 */
function setup(extra: Partial<QueueDeps> = {}) {
  let clock = 1_700_000_000_000;
  const now = () => (clock += 100);
  const transport = new FakeTransport();
  const fake = fakeUploadBackend({ now });
  const copy = vi.fn<QueueDeps['copy']>(async () => true);
  const deps: QueueDeps = { backend: fake.backend, transport, copy, now, ...extra };
  const queue = new UploadQueue(deps);
  const history: (readonly UploadItem[])[] = [];
  queue.subscribe((items) => history.push(items));
  const { signPut: sign, shareLink: share } = fake.destination;
  return { queue, transport, fake, start: fake.backend.startUpload, sign, share, copy, history, deps };
}

const file = (name: string, content: string | Uint8Array<ArrayBuffer>, type = 'text/plain') => new File([content], name, { type });
const bytesOf = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());
const item = (queue: UploadQueue, id: number) => queue.snapshot().find((i) => i.id === id)!;

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

describe('UploadQueue', () => {
  it('puts a folder\'s files under their folders, through {path}, one list update for the whole folder', async () => {
    const { queue, transport, fake, history, copy } = setup();
    fake.profiles.keyTemplate = 'drop/{path}{name}';
    const before = history.length;
    const ids = queue.add([file('a.txt', 'alpha'), file('b.txt', 'beta'), file('loose.txt', 'x')], {
      paths: ['trip/day1/', 'trip/day1/raw/', ''],
      folder: 'trip',
    });
    // Added at once: the first update already holds all three.
    expect(history[before]!.map((i) => i.name)).toEqual(['a.txt', 'b.txt', 'loose.txt']);
    await queue.idle();
    expect(transport.calls.map((c) => c.url.split('?')[0])).toEqual([
      'http://127.0.0.1:9000/my-bucket/drop/trip/day1/a.txt',
      'http://127.0.0.1:9000/my-bucket/drop/trip/day1/raw/b.txt',
      'http://127.0.0.1:9000/my-bucket/drop/loose.txt',
    ]);
    const folder = { id: ids[0], name: 'trip', listCopied: true };
    expect(ids.map((id) => [item(queue, id).path, item(queue, id).folder])).toEqual([
      ['trip/day1/', folder],
      ['trip/day1/raw/', folder],
      [undefined, folder],
    ]);
    // Each link as its file finished, then the folder's list, one a line.
    const links = ids.map((id) => item(queue, id).link!);
    expect(links[0]).toBe('http://127.0.0.1:9000/my-bucket/drop/trip/day1/a.txt?get');
    expect(copy.mock.calls.map(([text]) => text)).toEqual([...links, links.join('\n')]);
  });

  it('copies a folder\'s list in the profile\'s form once its last file settles, leaving out the failed ones', async () => {
    const { queue, fake, copy, transport } = setup();
    fake.profiles.keyTemplate = '{path}{name}';
    // The second file's PUT fails; the list has the two others.
    transport.scripts = [
      async () => ({ status: 200, body: '', etag: '"a"' }),
      async () => ({ status: 403, body: '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>' }),
    ];
    const ids = queue.add([file('a.png', 'A', 'image/png'), file('b.txt', 'B'), file('c.txt', 'C')], { paths: ['p/', 'p/', 'p/q/'], folder: 'p' });
    // Queued alone after: not part of the folder.
    queue.add([file('solo.txt', 'S')]);
    await queue.idle();
    expect(ids.map((id) => item(queue, id).status)).toEqual(['done', 'failed', 'done']);
    const list = copy.mock.calls.map(([text]) => text).find((text) => text.includes('\n'));
    expect(list).toBe(`${item(queue, ids[0]!).copyText}\n${item(queue, ids[2]!).copyText}`);
    expect(list).toBe('http://127.0.0.1:9000/my-bucket/p/a.png?get\nhttp://127.0.0.1:9000/my-bucket/p/q/c.txt?get');
  });

  it('uploads several files one after another and copies each link', async () => {
    const { queue, transport, sign, copy, history } = setup();
    const ids = queue.add([file('a.txt', 'alpha'), file('b b.png', new Uint8Array([1, 2, 3, 4]), 'image/png'), file('c', 'gamma!', '')]);
    expect(ids).toHaveLength(3);
    expect(queue.snapshot().map((i) => i.status)).toEqual(['uploading', 'queued', 'queued']);
    await queue.idle();

    expect(transport.maxActive).toBe(1);
    expect(transport.calls.map((c) => c.url.split('?')[0])).toEqual([
      'http://127.0.0.1:9000/my-bucket/up/a.txt',
      'http://127.0.0.1:9000/my-bucket/up/b b.png',
      'http://127.0.0.1:9000/my-bucket/up/c',
    ]);
    expect(new TextDecoder().decode(await bytesOf(transport.calls[0]!.body))).toBe('alpha');
    expect([...(await bytesOf(transport.calls[1]!.body))]).toEqual([1, 2, 3, 4]);
    expect(transport.calls.map((c) => c.headers['content-type'])).toEqual(['text/plain', 'image/png', 'application/octet-stream']);
    expect(sign.mock.calls.map(([, target]) => target)).toEqual([
      { id: 'uuid-2', profileId: 'default', key: 'up/a.txt', contentType: 'text/plain', size: 5 },
      { id: 'uuid-4', profileId: 'default', key: 'up/b b.png', contentType: 'image/png', size: 4 },
      { id: 'uuid-6', profileId: 'default', key: 'up/c', contentType: 'application/octet-stream', size: 6 },
    ]);

    for (const [index, id] of ids.entries()) {
      const done = item(queue, id);
      expect(done.status).toBe('done');
      expect(done.loaded).toBe(done.size);
      expect(done.copied).toBe(true);
      expect(done.key).toBe(transport.calls[index]!.url.split('/my-bucket/')[1]!.split('?')[0]);
      expect(done.link).toBe(`http://127.0.0.1:9000/my-bucket/${done.key}?get`);
      expect(done.linkExpiresAt).toBeGreaterThan(0);
      expect(done.error).toBeUndefined();
      // The id its history entry has, so the popup's Recent list leaves it out while it is on screen.
      expect(done.entryId).toBe(`uuid-${2 * (index + 1)}`);
    }
    expect(copy.mock.calls.map(([text]) => text)).toEqual(ids.map((id) => item(queue, id).link));

    // Progress was reported while uploading, not only at the end.
    const loadedOfFirst = history.map((items) => items.find((i) => i.id === ids[0])).filter((i) => i?.status === 'uploading').map((i) => i!.loaded);
    expect(loadedOfFirst).toContain(2);
    expect(loadedOfFirst).toContain(5);
    // While the first uploads, the others wait.
    const whileFirst = history.find((items) => items[0]?.status === 'uploading' && items[0].loaded === 2)!;
    expect(whileFirst.slice(1).map((i) => i.status)).toEqual(['queued', 'queued']);
  });

  it('sends one message to start each file and one to finish it, nothing else', async () => {
    const { queue, fake } = setup();
    queue.add([file('a.txt', 'alpha'), file('b.txt', 'beta')]);
    await queue.idle();
    expect(fake.messages).toEqual(['startUpload', 'finishUpload', 'startUpload', 'finishUpload']);
    // The background recorded each in the history when it finished.
    expect(fake.recorded.map((r) => [r.name, r.key, r.status])).toEqual([
      ['a.txt', 'up/a.txt', 'done'],
      ['b.txt', 'up/b.txt', 'done'],
    ]);
  });

  it('reports a speed while bytes move', async () => {
    const { queue, history } = setup();
    const [id] = queue.add([file('a.bin', new Uint8Array(10_000))]);
    await queue.idle();
    const speeds = history
      .map((items) => items.find((i) => i.id === id))
      .filter((i) => i?.status === 'uploading')
      .map((i) => i!.bytesPerSecond);
    expect(Math.max(...speeds)).toBeGreaterThan(0);
    expect(item(queue, id!).bytesPerSecond).toBe(0);
  });

  it('uploads a 0-byte file', async () => {
    const { queue, transport, sign } = setup();
    const [id] = queue.add([file('empty.txt', '')]);
    await queue.idle();
    expect(item(queue, id!)).toMatchObject({ status: 'done', size: 0, loaded: 0, copied: true });
    expect(transport.calls).toHaveLength(1);
    expect(transport.calls[0]!.body.size).toBe(0);
    expect(sign.mock.calls[0]![1].size).toBe(0);
  });

  it('fails an AccessDenied reply with its sentence, and retry uploads the same bytes again', async () => {
    const { queue, transport, share, copy, history } = setup();
    transport.scripts.push(async () => ({
      status: 403,
      body: '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
    }));
    const [id] = queue.add([file('photo.jpg', 'JPEGDATA', 'image/jpeg'), file('next.txt', 'next')]);
    await queue.idle();

    const failed = item(queue, id!);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'AccessDenied', transient: false });
    expect(failed.error!.message).toMatch(/not allowed to upload in bucket "my-bucket".*s3:PutObject/);
    expect(failed.loaded).toBe(0);
    expect(failed.link).toBeUndefined();
    // The key the background chose stays on the failed item.
    expect(failed.key).toBe('up/photo.jpg');
    // The rest of the queue went on.
    expect(queue.snapshot()[1]!.status).toBe('done');
    expect(share).toHaveBeenCalledTimes(1);

    const before = history.length;
    queue.retry(id!);
    const requeued = history[before]!.find((i) => i.id === id)!;
    expect(requeued).toMatchObject({ status: 'queued', loaded: 0 });
    expect(requeued.error).toBeUndefined();
    expect(item(queue, id!).status).toBe('uploading');
    await queue.idle();
    expect(item(queue, id!)).toMatchObject({ status: 'done', copied: true });
    expect(transport.calls).toHaveLength(3);
    const first = transport.calls[0]!;
    const again = transport.calls[2]!;
    expect(again.url).not.toBe(first.url); // freshly signed
    expect(await bytesOf(again.body)).toEqual(await bytesOf(first.body));
    expect(new TextDecoder().decode(await bytesOf(again.body))).toBe('JPEGDATA');
    expect(copy).toHaveBeenCalledTimes(2);
  });

  it('retry does nothing for items that did not fail', async () => {
    const { queue, transport } = setup();
    const [id] = queue.add([file('a.txt', 'a')]);
    await queue.idle();
    queue.retry(id!);
    queue.retry(999);
    await queue.idle();
    expect(transport.calls).toHaveLength(1);
    expect(item(queue, id!).status).toBe('done');
  });

  it('signs again and retries once when the URL expired in flight', async () => {
    const { queue, transport, sign, fake } = setup();
    transport.scripts.push(async (request) => {
      request.onProgress?.(3);
      return { status: 403, body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' };
    });
    const [id] = queue.add([file('slow.bin', 'slowdata')]);
    await queue.idle();
    expect(sign).toHaveBeenCalledTimes(2);
    // The second URL was asked for with its own message.
    expect(fake.messages).toEqual(['startUpload', 'signPut', 'finishUpload']);
    expect(transport.calls).toHaveLength(2);
    expect(transport.calls[1]!.url).not.toBe(transport.calls[0]!.url);
    expect(item(queue, id!)).toMatchObject({ status: 'done', loaded: 8 });
  });

  it('gives up with UploadUrlExpired when the fresh URL expires too', async () => {
    const { queue, transport, sign } = setup();
    const expired = async () => ({ status: 403, body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' });
    transport.scripts.push(expired, expired);
    const [id] = queue.add([file('slow.bin', 'x')]);
    await queue.idle();
    expect(sign).toHaveBeenCalledTimes(2);
    expect(item(queue, id!).error).toMatchObject({ code: 'UploadUrlExpired', transient: true });
  });

  it('signs again before starting when the URL is about to expire', async () => {
    const { queue, transport, sign, deps } = setup();
    sign.mockImplementationOnce(async (_profileId, target) => ({
      ok: true,
      value: { url: 'http://127.0.0.1:9000/my-bucket/stale', headers: { 'content-type': target.contentType }, expiresAt: deps.now!() + 1000 },
    }));
    const [id] = queue.add([file('a.txt', 'a')]);
    await queue.idle();
    expect(sign).toHaveBeenCalledTimes(2);
    expect(transport.calls.map((c) => c.url)).not.toContain('http://127.0.0.1:9000/my-bucket/stale');
    expect(item(queue, id!).status).toBe('done');
  });

  it('cancel during an upload aborts the request and goes on with the next file', async () => {
    const { queue, transport, share, copy } = setup();
    const started = deferred();
    let sawAbort = false;
    transport.scripts.push(
      (request) =>
        new Promise<PutResponse>((_resolve, reject) => {
          request.onProgress?.(2);
          request.signal?.addEventListener('abort', () => {
            sawAbort = true;
            reject(new UploadAbortedError());
          });
          started.resolve();
        }),
    );
    const [id, next] = queue.add([file('big.bin', 'bigbigbig'), file('next.txt', 'next')]);
    await started.promise;
    expect(item(queue, id!)).toMatchObject({ status: 'uploading', loaded: 2 });
    queue.cancel(id!);
    expect(item(queue, id!).status).toBe('cancelled');
    await queue.idle();

    expect(sawAbort).toBe(true);
    expect(transport.calls[0]!.signal?.aborted).toBe(true);
    expect(item(queue, id!)).toMatchObject({ status: 'cancelled', bytesPerSecond: 0 });
    expect(item(queue, id!).error).toBeUndefined();
    expect(item(queue, id!).link).toBeUndefined();
    expect(item(queue, next!).status).toBe('done');
    expect(share.mock.calls.map(([, r]) => r.fileName)).toEqual(['next.txt']);
    expect(copy).toHaveBeenCalledTimes(1);
    // A cancelled item cannot be retried.
    queue.retry(id!);
    expect(item(queue, id!).status).toBe('cancelled');
  });

  it('cancel of a queued file means it is never sent', async () => {
    const { queue, transport, start } = setup();
    const [, second] = queue.add([file('a.txt', 'a'), file('b.txt', 'b')]);
    queue.cancel(second!);
    await queue.idle();
    expect(item(queue, second!).status).toBe('cancelled');
    expect(transport.calls).toHaveLength(1);
    expect(start.mock.calls.map(([r]) => r.name)).toEqual(['a.txt']);
  });

  it('cancel while the background starts the upload never sends the bytes', async () => {
    const { queue, transport, start, share } = setup();
    const gate = deferred();
    const answer = start.getMockImplementation()!;
    start.mockImplementationOnce(async (request) => {
      await gate.promise;
      return answer(request);
    });
    const [id] = queue.add([file('a.txt', 'a')]);
    queue.cancel(id!);
    gate.resolve();
    await queue.idle();
    expect(item(queue, id!).status).toBe('cancelled');
    expect(transport.calls).toHaveLength(0);
    expect(share).not.toHaveBeenCalled();
  });

  // Cancel is offered for the whole 'uploading' state, which includes signing the link.
  it('cancel while the share link is being signed stays cancelled and copies nothing', async () => {
    const { queue, share, copy } = setup();
    const gate = deferred();
    const asked = deferred();
    share.mockImplementationOnce(async (_profileId, request) => {
      asked.resolve();
      await gate.promise;
      return { ok: true, value: { url: `http://127.0.0.1:9000/my-bucket/${request.key}?get`, headers: {}, expiresAt: 1 } };
    });
    const [id] = queue.add([file('a.txt', 'a')]);
    await asked.promise;
    expect(item(queue, id!).status).toBe('uploading');
    queue.cancel(id!);
    gate.resolve();
    await queue.idle();
    expect(item(queue, id!).status).toBe('cancelled');
    expect(copy).not.toHaveBeenCalled();
  });

  it('refuses a file over 5 GiB where the profile cannot upload in parts, before a key is chosen or anything signed or sent', async () => {
    const { queue, transport, start, sign } = setup();
    const huge = { name: 'disk.iso', size: 5 * 1024 ** 3 + 1, type: 'application/x-iso9660-image' } as unknown as Blob & { name: string };
    const [id] = queue.add([huge, file('small.txt', 's')]);
    await queue.idle();
    const failed = item(queue, id!);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'EntityTooLarge', transient: false });
    expect(failed.error!.message).toBe('"disk.iso" is larger than 5 GiB, the most S3 takes in one upload, and this profile cannot upload in parts.');
    expect(failed.key).toBeUndefined();
    expect(start.mock.calls.map(([r]) => [r.name, r.size])).toEqual([
      ['disk.iso', 5 * 1024 ** 3 + 1],
      ['small.txt', 1],
    ]);
    expect(sign.mock.calls.map(([, t]) => t.key)).toEqual(['up/small.txt']);
    expect(transport.calls).toHaveLength(1);
  });

  it('sends a file of exactly 5 GiB', async () => {
    const { queue, transport } = setup();
    const limit = { name: 'exact.bin', size: 5 * 1024 ** 3, type: '' } as unknown as Blob & { name: string };
    transport.scripts.push(async () => ({ status: 200, body: '' }));
    const [id] = queue.add([limit]);
    await queue.idle();
    expect(transport.calls).toHaveLength(1);
    expect(item(queue, id!).status).toBe('done');
  });

  it('fails with the background’s sentence when the upload cannot start (nothing set up)', async () => {
    const { queue, fake, sign, transport } = setup();
    fake.profiles.ids = [];
    const [id] = queue.add([file('a.txt', 'a')]);
    await queue.idle();
    expect(item(queue, id!)).toMatchObject({ status: 'failed', error: NOT_CONFIGURED });
    expect(item(queue, id!).error!.message).toBe('No bucket is set up yet. Open Options and enter your bucket and keys.');
    expect(sign).not.toHaveBeenCalled();
    expect(transport.calls).toHaveLength(0);
  });

  it('fails with the signer error when signing fails', async () => {
    const { queue, sign, transport } = setup();
    const missing: UserError = { code: 'HostPermissionMissing', message: 'No access yet.', fix: { kind: 'grant-access' }, transient: false };
    sign.mockResolvedValueOnce({ ok: false, error: missing });
    const [id] = queue.add([file('a.txt', 'a')]);
    await queue.idle();
    expect(item(queue, id!)).toMatchObject({ status: 'failed', error: missing });
    expect(transport.calls).toHaveLength(0);
  });

  it('fails with a network sentence naming the endpoint when the PUT cannot connect', async () => {
    const { queue, transport } = setup();
    transport.scripts.push(async () => {
      throw new TypeError('Failed to fetch');
    });
    const [id] = queue.add([file('a.txt', 'a')]);
    await queue.idle();
    expect(item(queue, id!).error).toMatchObject({ code: 'NetworkError', transient: true });
    expect(item(queue, id!).error!.message).toMatch(/Cannot reach http:\/\/127\.0\.0\.1:9000/);
  });

  it('fails with the share error when the link cannot be signed', async () => {
    const { queue, share, copy } = setup();
    const err: UserError = { code: 'NotConfigured', message: 'No bucket.', transient: false };
    share.mockResolvedValueOnce({ ok: false, error: err });
    const [id] = queue.add([file('a.txt', 'a')]);
    await queue.idle();
    expect(item(queue, id!)).toMatchObject({ status: 'failed', error: err });
    expect(copy).not.toHaveBeenCalled();
  });

  it('marks the link as not copied when the clipboard refuses', async () => {
    const { queue, copy } = setup();
    copy.mockResolvedValueOnce(false).mockRejectedValueOnce(new Error('Document is not focused'));
    const [a, b] = queue.add([file('a.txt', 'a'), file('b.txt', 'b')]);
    await queue.idle();
    expect(item(queue, a!)).toMatchObject({ status: 'done', copied: false });
    expect(item(queue, b!)).toMatchObject({ status: 'done', copied: false });
    expect(item(queue, a!).link).toMatch(/\?get$/);
  });

  it('subscribers get the current items at once and stop after unsubscribing', async () => {
    const { queue } = setup();
    queue.add([file('a.txt', 'a')]);
    await queue.idle();
    const seen: number[] = [];
    const off = queue.subscribe((items) => seen.push(items.length));
    expect(seen).toEqual([1]);
    off();
    queue.add([file('b.txt', 'b')]);
    await queue.idle();
    expect(seen).toEqual([1]);
  });
});

describe('UploadQueue with profiles, transforms and a locked vault', () => {
  it('runs the transforms on each file before it starts, and starts what they gave', async () => {
    const order: string[] = [];
    const { queue, start, transport } = setup({
      transforms: [
        async (f, signal) => {
          order.push(`transform ${f.name}`);
          expect(signal.aborted).toBe(false);
          return { ...f, name: f.name.toUpperCase() };
        },
      ],
    });
    const answer = start.getMockImplementation()!;
    start.mockImplementation(async (request) => {
      order.push(`start ${request.name}`);
      return answer(request);
    });
    const [a] = queue.add([file('a.txt', 'a')], { profileId: 'default' });
    const [b] = queue.add([file('b.txt', 'b')]);
    await queue.idle();
    expect(order).toEqual(['transform a.txt', 'start A.TXT', 'transform b.txt', 'start B.TXT']);
    expect(transport.calls.map((c) => c.url.split('?')[0])).toEqual(['http://127.0.0.1:9000/my-bucket/up/A.TXT', 'http://127.0.0.1:9000/my-bucket/up/B.TXT']);
    expect(item(queue, a!).status).toBe('done');
    expect(item(queue, b!).status).toBe('done');
  });

  it('an item added for a profile starts on that profile, and its ticket keeps it to the finish', async () => {
    const { queue, fake, start, sign, share } = setup();
    fake.profiles.ids = ['default', 'p2'];
    const [id] = queue.add([file('a.txt', 'alpha')], { profileId: 'p2' });
    expect(item(queue, id!).profileId).toBe('p2');
    await queue.idle();
    expect(start.mock.calls.map(([r]) => r)).toEqual([
      { name: 'a.txt', type: 'text/plain', size: 5, source: 'popup', profileId: 'p2', md5: createHash('md5').update('alpha').digest('base64') },
    ]);
    // Start and finish each read the profile once.
    expect(fake.destination.open.mock.calls).toEqual([['p2'], ['p2']]);
    expect(sign.mock.calls.map(([profileId, t]) => [profileId, t.key])).toEqual([['p2', 'up/a.txt']]);
    expect(share.mock.calls).toEqual([['p2', { key: 'up/a.txt', fileName: 'a.txt', contentType: 'text/plain' }]]);
    expect(fake.recorded.map((r) => r.profileId)).toEqual(['p2']);
    expect(item(queue, id!).status).toBe('done');
  });

  it('an item without a profile sends no profileId (the background picks the default), then stays on the profile it got', async () => {
    const { queue, fake, start } = setup();
    const [id] = queue.add([file('a.txt', 'alpha')]);
    expect(item(queue, id!)).not.toHaveProperty('profileId');
    await queue.idle();
    expect(start).toHaveBeenCalledTimes(1);
    expect(Object.keys(start.mock.calls[0]![0])).not.toContain('profileId');
    // The finish goes to the profile the start chose, even if the default changed meanwhile.
    expect(fake.destination.open.mock.calls).toEqual([[undefined], ['default']]);
    expect(fake.backend.finishUpload.mock.calls[0]![0].ticket.profileId).toBe('default');
  });

  it('multipart uploads go to the item’s profile too', async () => {
    const { queue, fake } = setup();
    Object.assign(fake.profiles, { ids: ['default', 'p2'], multipart: true, multipartThreshold: 1 });
    queue.add([file('a.bin', 'abcdefgh')], { profileId: 'p2' });
    queue.add([file('b.bin', 'abcdefgh')]);
    await queue.idle();
    expect(fake.destination.create.mock.calls).toEqual([
      ['p2', { key: 'up/a.bin', contentType: 'text/plain' }],
      ['default', { key: 'up/b.bin', contentType: 'text/plain' }],
    ]);
    expect(fake.destination.complete.mock.calls.map(([profileId, t]) => [profileId, t.key, t.parts])).toEqual([
      ['p2', 'up/a.bin', [{ PartNumber: 1, ETag: '"etag-1"' }]],
      ['default', 'up/b.bin', [{ PartNumber: 1, ETag: '"etag-2"' }]],
    ]);
  });

  it("is 'waiting' while the secrets are locked, then uploads once they are unlocked", async () => {
    const unlocked = deferred();
    const waited = deferred();
    const { queue, fake, start, transport } = setup({
      whenLocked: async () => {
        waited.resolve();
        await unlocked.promise;
      },
    });
    fake.profiles.locked = true;
    const [id] = queue.add([file('a.txt', 'a')]);
    await waited.promise;
    expect(item(queue, id!).status).toBe('waiting');
    expect(start).toHaveBeenCalledTimes(1);
    expect(transport.calls).toHaveLength(0);
    fake.profiles.locked = false;
    unlocked.resolve();
    await queue.idle();
    expect(item(queue, id!).status).toBe('done');
    // Asked again once unlocked; then one finish.
    expect(fake.messages).toEqual(['startUpload', 'startUpload', 'finishUpload']);
  });

  it('Cancel while waiting ends the item as cancelled without starting it, and the next file goes on', async () => {
    const waited = deferred();
    let sawAbort = false;
    const { queue, fake, start, sign, transport, copy } = setup({
      whenLocked: (signal) => {
        waited.resolve();
        return new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => {
            sawAbort = true;
            resolve();
          }),
        );
      },
    });
    fake.profiles.locked = true;
    const [id, next] = queue.add([file('a.txt', 'a'), file('b.txt', 'b')]);
    await waited.promise;
    expect(item(queue, id!).status).toBe('waiting');
    expect(item(queue, next!).status).toBe('queued');
    queue.cancel(id!);
    // The user cancels the first file and unlocks.
    fake.profiles.locked = false;
    expect(item(queue, id!).status).toBe('cancelled');
    await queue.idle();
    expect(sawAbort).toBe(true);
    expect(item(queue, id!)).toMatchObject({ status: 'cancelled', bytesPerSecond: 0 });
    expect(item(queue, id!).error).toBeUndefined();
    // a.txt was only ever answered "locked": no URL for it, no byte sent.
    expect(start.mock.calls.map(([r]) => r.name)).toEqual(['a.txt', 'b.txt']);
    expect(await start.mock.results[0]!.value).toMatchObject({ ok: false, error: { code: 'Locked' } });
    expect(await sign.mock.results[0]!.value).toMatchObject({ ok: false, error: { code: 'Locked' } });
    expect(transport.calls.map((c) => c.url.split('?')[0])).toEqual(['http://127.0.0.1:9000/my-bucket/up/b.txt']);
    expect(copy).toHaveBeenCalledTimes(1);
    expect(item(queue, next!).status).toBe('done');
  });

  // The threshold is the profile's when the file starts: an edit made while a file waits applies to it.
  it('uses the multipart threshold as it is when the file starts, not when it was queued', async () => {
    const waited = deferred();
    const unlocked = deferred();
    const { queue, fake, start, transport } = setup({
      whenLocked: async () => {
        waited.resolve();
        await unlocked.promise;
      },
    });
    Object.assign(fake.profiles, { multipart: true, multipartThreshold: 100, locked: true });
    const [id] = queue.add([file('ten.bin', '0123456789')]);
    await waited.promise;
    Object.assign(fake.profiles, { multipartThreshold: 1, locked: false });
    unlocked.resolve();
    await queue.idle();
    expect(item(queue, id!).status).toBe('done');
    expect(await start.mock.results[0]!.value).toMatchObject({ ok: false, error: { code: 'Locked' } });
    expect(await start.mock.results[1]!.value).toMatchObject({ ok: true, value: { transfer: { kind: 'multipart', uploadId: 'mp-1' } } });
    expect(fake.destination.create).toHaveBeenCalledTimes(1);
    expect(transport.calls.map((c) => c.url.split('&sig=')[0])).toEqual(['http://127.0.0.1:9000/my-bucket/up/ten.bin?partNumber=1&uploadId=mp-1']);
  });

  it('below the profile’s threshold (100 bytes) a file goes in one PUT', async () => {
    const { queue, fake, sign } = setup();
    Object.assign(fake.profiles, { multipart: true, multipartThreshold: 100 });
    const [id] = queue.add([file('ten.bin', '0123456789')]);
    await queue.idle();
    expect(item(queue, id!).status).toBe('done');
    expect(fake.destination.create).not.toHaveBeenCalled();
    expect(sign).toHaveBeenCalledTimes(1);
  });

  it('a transform that fails fails the item with its reason, and the upload never starts', async () => {
    const { queue, start } = setup({
      transforms: [
        async () => {
          throw new Error('the image could not be decoded');
        },
      ],
    });
    const [id] = queue.add([file('a.jpg', 'not a jpeg', 'image/jpeg')]);
    await queue.idle();
    expect(item(queue, id!)).toMatchObject({ status: 'failed', error: { code: 'Unexpected', message: 'The upload failed: the image could not be decoded' } });
    expect(start).not.toHaveBeenCalled();
  });
});

describe('SpeedMeter', () => {
  it('is 0 until two samples exist', () => {
    const meter = new SpeedMeter();
    expect(meter.bytesPerSecond()).toBe(0);
    meter.add(1000, 500);
    expect(meter.bytesPerSecond()).toBe(0);
    meter.add(1000, 900);
    expect(meter.bytesPerSecond()).toBe(0);
  });

  it('measures bytes per second', () => {
    const meter = new SpeedMeter();
    meter.add(0, 0);
    meter.add(500, 1000);
    expect(meter.bytesPerSecond()).toBe(2000);
    meter.add(1000, 3000);
    expect(meter.bytesPerSecond()).toBe(3000);
  });

  it('forgets old samples, so a stall shows as a falling number', () => {
    const meter = new SpeedMeter(3000);
    meter.add(0, 0);
    meter.add(1000, 10_000);
    meter.add(2000, 20_000);
    expect(meter.bytesPerSecond()).toBe(10_000);
    meter.add(10_000, 20_000);
    expect(meter.bytesPerSecond()).toBe(0);
    meter.add(11_000, 21_000);
    expect(meter.bytesPerSecond()).toBeCloseTo(1000 / 9, 6);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [1500, '1.5 kB'],
    [850_000, '850 kB'],
    [12_000_000, '12.0 MB'],
    [12_345_678, '12.3 MB'],
    [2_500_000_000, '2.5 GB'],
    [5_000_000_000_000, '5.0 TB'],
    [5_000_000_000_000_000, '5000 TB'],
  ])('formats %d as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  // The unit is chosen after rounding.
  it('does not show 1000 of a unit', () => {
    expect(formatBytes(999_999)).toBe('1.0 MB');
  });
});

describe('formatEta', () => {
  it.each([
    [0.4, 'almost done'],
    [12.2, 'about 13 s left'],
    [150, 'about 3 min left'],
    [3 * 3600 + 20 * 60, 'about 3 h 20 min left'],
    // Rounded once: never "1 h 60 min".
    [2 * 3600 - 1, 'about 2 h 0 min left'],
    [Infinity, ''],
    [-1, ''],
  ])('%d s → %j', (seconds, text) => {
    expect(formatEta(seconds)).toBe(text);
  });
});

describe('UploadQueue: link expiry, never-expiring links and If-None-Match', () => {
  it('the expiry chosen with the files goes to each share link, and stays for a retry', async () => {
    const { queue, fake, share, transport } = setup();
    fake.profiles.ids = ['default', 'p2'];
    transport.scripts.push(async () => ({ status: 503, body: '<Error><Code>SlowDown</Code></Error>' }));
    const [id] = queue.add([file('a.txt', 'alpha')], { profileId: 'p2', expiresIn: 900 });
    await queue.idle();
    expect(item(queue, id!)).toMatchObject({ status: 'failed', expiresIn: 900, profileId: 'p2' });
    queue.retry(id!);
    await queue.idle();
    expect(share.mock.calls).toEqual([['p2', { key: 'up/a.txt', fileName: 'a.txt', contentType: 'text/plain', expiresIn: 900 }]]);
  });

  it('without a choice the share request carries no expiry (the profile’s applies)', async () => {
    const { queue, share, start, sign } = setup();
    queue.add([file('a.txt', 'alpha')]);
    await queue.idle();
    expect(share.mock.calls[0]![1]).not.toHaveProperty('expiresIn');
    // Only the share link cares about the expiry.
    expect(start.mock.calls[0]![0]).not.toHaveProperty('expiresIn');
    expect(sign.mock.calls[0]![1]).not.toHaveProperty('expiresIn');
  });

  it('a link without expiresAt (public, custom domain) is done with no expiry', async () => {
    const { queue, share } = setup();
    share.mockImplementation(async (_profileId, request) => ({ ok: true, value: { url: `https://cdn.example.com/${request.key}`, headers: {} } }));
    const [id] = queue.add([file('a.txt', 'alpha')]);
    await queue.idle();
    expect(item(queue, id!)).toMatchObject({ status: 'done', link: 'https://cdn.example.com/up/a.txt', copied: true });
    expect(item(queue, id!).linkExpiresAt).toBeUndefined();
  });

  it('a destination that signs If-None-Match has it signed, and the PUT sends the signed header', async () => {
    const { queue, fake, sign, transport } = setup();
    Object.assign(fake.profiles, { keyExists: true, conditionalWrites: true });
    queue.add([file('a.txt', 'alpha')]);
    await queue.idle();
    expect(fake.destination.keyExists.mock.calls).toEqual([['default', 'up/a.txt']]);
    expect(sign.mock.calls[0]![1]).toMatchObject({ ifNoneMatch: true });
    expect(transport.calls[0]!.headers).toEqual({ 'content-type': 'text/plain', 'if-none-match': '*' });
  });

  it('412 PreconditionFailed (the key was taken meanwhile) fails with its sentence and is not retried blindly', async () => {
    const { queue, transport, sign } = setup();
    transport.scripts.push(async () => ({ status: 412, body: '<Error><Code>PreconditionFailed</Code></Error>' }));
    const [id] = queue.add([file('a.txt', 'alpha')]);
    await queue.idle();
    expect(item(queue, id!).error).toMatchObject({ code: 'PreconditionFailed', message: expect.stringMatching(/nothing was overwritten/) });
    expect(sign).toHaveBeenCalledTimes(1);
  });
});
