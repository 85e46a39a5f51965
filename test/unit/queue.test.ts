import { describe, expect, it, vi } from 'vitest';
import type { Result, UploadPlan } from '../../src/messaging/protocol';
import type { FailureContext, UserError } from '../../src/s3/errors';
import type { SignedRequest } from '../../src/s3/presign';
import type { MultipartSigner } from '../../src/upload/multipart';
import { MAX_SINGLE_PUT_BYTES, UploadQueue, type QueueDeps, type UploadItem } from '../../src/upload/queue';
import { formatBytes, formatEta, SpeedMeter } from '../../src/upload/speed';
import { UploadAbortedError, type PutRequest, type PutResponse, type PutTransport } from '../../src/upload/transport';

const context: FailureContext = { operation: 'upload', bucket: 'my-bucket', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000' };

interface PutCall {
  url: string;
  body: Blob;
  headers: Record<string, string>;
  signal?: AbortSignal;
}

type Script = (request: PutRequest) => Promise<PutResponse>;

/** An in-memory S3: records each PUT, reports progress in two halves, answers 200 unless scripted otherwise. */
class FakeTransport implements PutTransport {
  calls: PutCall[] = [];
  scripts: Script[] = [];
  private active = 0;
  maxActive = 0;

  async put(request: PutRequest): Promise<PutResponse> {
    if (request.signal?.aborted) throw new UploadAbortedError();
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      this.calls.push({
        url: request.url,
        body: request.body,
        headers: { ...request.headers },
        ...(request.signal ? { signal: request.signal } : {}),
      });
      const script = this.scripts.shift();
      if (script) return await script(request);
      const size = request.body.size;
      request.onProgress?.(Math.floor(size / 2));
      await new Promise((r) => setTimeout(r, 1));
      request.onProgress?.(size);
      return { status: 200, body: '', etag: '"abc"' };
    } finally {
      this.active--;
    }
  }
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A queue over fakes. `extra` adds or replaces deps; its getters stay getters
 * (the runner's `multipartThreshold` is one, read when each file starts).
 */
function setup(extra: Partial<QueueDeps> = {}) {
  let clock = 1_700_000_000_000;
  const now = () => (clock += 100);
  const transport = new FakeTransport();
  let signCount = 0;
  const plan = vi.fn<QueueDeps['plan']>(async (file): Promise<Result<UploadPlan>> => ({
    ok: true,
    value: { profileId: file.profileId ?? 'default', key: `up/${file.name}`, bucket: 'my-bucket', contentType: file.type || 'application/octet-stream' },
  }));
  const sign = vi.fn<QueueDeps['sign']>(
    async (request): Promise<Result<SignedRequest>> => ({
      ok: true,
      value: {
        url: `http://127.0.0.1:9000/my-bucket/${request.key}?sig=${++signCount}`,
        headers: { 'content-type': request.contentType },
        expiresAt: clock + 300_000,
      },
    }),
  );
  const share = vi.fn<QueueDeps['share']>(
    async (request): Promise<Result<SignedRequest>> => ({
      ok: true,
      value: { url: `http://127.0.0.1:9000/my-bucket/${request.key}?get`, headers: {}, expiresAt: clock + 86_400_000 },
    }),
  );
  const copy = vi.fn<QueueDeps['copy']>(async () => true);
  const deps: QueueDeps = { plan, sign, share, transport, copy, context: () => context, now };
  Object.defineProperties(deps, Object.getOwnPropertyDescriptors(extra));
  const queue = new UploadQueue(deps);
  const history: (readonly UploadItem[])[] = [];
  queue.subscribe((items) => history.push(items));
  return { queue, transport, plan, sign, share, copy, history, deps };
}

const file = (name: string, content: string | Uint8Array<ArrayBuffer>, type = 'text/plain') => new File([content], name, { type });
const bytesOf = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());
const item = (queue: UploadQueue, id: number) => queue.snapshot().find((i) => i.id === id)!;

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

describe('UploadQueue', () => {
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
    expect(sign.mock.calls.map(([r]) => r)).toEqual([
      { key: 'up/a.txt', contentType: 'text/plain', size: 5 },
      { key: 'up/b b.png', contentType: 'image/png', size: 4 },
      { key: 'up/c', contentType: 'application/octet-stream', size: 6 },
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
    expect(sign.mock.calls[0]![0].size).toBe(0);
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
    const { queue, transport, sign } = setup();
    transport.scripts.push(async (request) => {
      request.onProgress?.(3);
      return { status: 403, body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' };
    });
    const [id] = queue.add([file('slow.bin', 'slowdata')]);
    await queue.idle();
    expect(sign).toHaveBeenCalledTimes(2);
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
    sign.mockImplementationOnce(async (request) => ({
      ok: true,
      value: { url: 'http://127.0.0.1:9000/my-bucket/stale', headers: { 'content-type': request.contentType }, expiresAt: deps.now!() + 1000 },
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
    expect(share.mock.calls.map(([r]) => r.fileName)).toEqual(['next.txt']);
    expect(copy).toHaveBeenCalledTimes(1);
    // A cancelled item cannot be retried.
    queue.retry(id!);
    expect(item(queue, id!).status).toBe('cancelled');
  });

  it('cancel of a queued file means it is never sent', async () => {
    const { queue, transport, plan } = setup();
    const [, second] = queue.add([file('a.txt', 'a'), file('b.txt', 'b')]);
    queue.cancel(second!);
    await queue.idle();
    expect(item(queue, second!).status).toBe('cancelled');
    expect(transport.calls).toHaveLength(1);
    expect(plan.mock.calls.map(([f]) => f.name)).toEqual(['a.txt']);
  });

  it('cancel while the plan is pending never sends the bytes', async () => {
    const { queue, transport, plan, share } = setup();
    const gate = deferred();
    plan.mockImplementationOnce(async (f) => {
      await gate.promise;
      return { ok: true, value: { profileId: 'default', key: `up/${f.name}`, bucket: 'my-bucket', contentType: f.type } };
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
    share.mockImplementationOnce(async (request) => {
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

  it('refuses a file over 5 GiB without planning, signing or sending', async () => {
    const { queue, transport, plan, sign } = setup();
    const huge = { name: 'disk.iso', size: MAX_SINGLE_PUT_BYTES + 1, type: 'application/x-iso9660-image' } as unknown as Blob & { name: string };
    const [id] = queue.add([huge, file('small.txt', 's')]);
    await queue.idle();
    const failed = item(queue, id!);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'EntityTooLarge', transient: false });
    expect(failed.error!.message).toMatch(/"disk\.iso" is larger than 5 GiB/);
    expect(plan.mock.calls.map(([f]) => f.name)).toEqual(['small.txt']);
    expect(sign).toHaveBeenCalledTimes(1);
    expect(transport.calls).toHaveLength(1);
  });

  it('sends a file of exactly 5 GiB', async () => {
    const { queue, transport } = setup();
    const limit = { name: 'exact.bin', size: MAX_SINGLE_PUT_BYTES, type: '' } as unknown as Blob & { name: string };
    transport.scripts.push(async () => ({ status: 200, body: '' }));
    const [id] = queue.add([limit]);
    await queue.idle();
    expect(transport.calls).toHaveLength(1);
    expect(item(queue, id!).status).toBe('done');
  });

  it('fails with the planner error when planning fails', async () => {
    const { queue, plan, sign, transport } = setup();
    const notConfigured: UserError = { code: 'NotConfigured', message: 'No bucket is set up yet.', fix: { kind: 'open-options' }, transient: false };
    plan.mockResolvedValueOnce({ ok: false, error: notConfigured });
    const [id] = queue.add([file('a.txt', 'a')]);
    await queue.idle();
    expect(item(queue, id!)).toMatchObject({ status: 'failed', error: notConfigured });
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

describe('UploadQueue with profiles and a prepare step', () => {
  /** A multipart signer over the fake transport: one URL per part, recorded targets. */
  function fakeMultipart() {
    const targets: { key: string; contentType: string; profileId?: string }[] = [];
    const multipart = vi.fn((target: { key: string; contentType: string; profileId?: string }): MultipartSigner => {
      targets.push(target);
      return {
        create: async () => ({ uploadId: 'mp-1' }),
        signParts: async (uploadId, parts) =>
          parts.map((p) => ({
            partNumber: p.partNumber,
            url: `http://127.0.0.1:9000/my-bucket/${target.key}?partNumber=${p.partNumber}&uploadId=${uploadId}`,
            headers: {},
            expiresAt: Date.now() + 300_000,
          })),
        complete: async () => ({ etag: '"mp"' }),
        abort: async () => {},
      };
    });
    return { multipart, targets };
  }

  it('calls prepare first, with the item (its profile included), before planning', async () => {
    const order: string[] = [];
    const prepare = vi.fn<NonNullable<QueueDeps['prepare']>>(async (prepared, signal) => {
      order.push(`prepare ${prepared.name}`);
      expect(signal.aborted).toBe(false);
    });
    const { queue, plan } = setup({ prepare });
    plan.mockImplementation(async (f) => {
      order.push(`plan ${f.name}`);
      return { ok: true, value: { profileId: f.profileId ?? 'default', key: `up/${f.name}`, bucket: 'my-bucket', contentType: f.type } };
    });
    const [a] = queue.add([file('a.txt', 'a')], { profileId: 'p2' });
    const [b] = queue.add([file('b.txt', 'b')]);
    await queue.idle();
    expect(order).toEqual(['prepare a.txt', 'plan a.txt', 'prepare b.txt', 'plan b.txt']);
    expect(prepare).toHaveBeenCalledTimes(2);
    expect(prepare.mock.calls[0]![0]).toMatchObject({ id: a, name: 'a.txt', size: 1, profileId: 'p2' });
    expect(prepare.mock.calls[1]![0]).toMatchObject({ id: b, name: 'b.txt' });
    expect(prepare.mock.calls[1]![0]).not.toHaveProperty('profileId');
    expect(item(queue, a!).status).toBe('done');
    expect(item(queue, b!).status).toBe('done');
  });

  it('an item added for a profile sends that profileId to plan, sign and share', async () => {
    const { queue, plan, sign, share } = setup();
    const [id] = queue.add([file('a.txt', 'alpha')], { profileId: 'p2' });
    expect(item(queue, id!).profileId).toBe('p2');
    await queue.idle();
    expect(plan.mock.calls.map(([f]) => f)).toEqual([{ name: 'a.txt', type: 'text/plain', size: 5, profileId: 'p2' }]);
    expect(sign.mock.calls.map(([r]) => r)).toEqual([{ key: 'up/a.txt', contentType: 'text/plain', size: 5, profileId: 'p2' }]);
    expect(share.mock.calls.map(([r]) => r)).toEqual([{ key: 'up/a.txt', fileName: 'a.txt', contentType: 'text/plain', profileId: 'p2' }]);
    expect(item(queue, id!).status).toBe('done');
  });

  it('an item without a profile sends no profileId key at all (the background picks the default)', async () => {
    const { queue, plan, sign, share } = setup();
    const [id] = queue.add([file('a.txt', 'alpha')]);
    expect(item(queue, id!)).not.toHaveProperty('profileId');
    await queue.idle();
    for (const mock of [plan, sign, share]) {
      expect(mock).toHaveBeenCalledTimes(1);
      expect(Object.keys(mock.mock.calls[0]![0])).not.toContain('profileId');
    }
  });

  it('multipart targets carry the profile too', async () => {
    const { multipart, targets } = fakeMultipart();
    const { queue } = setup({ multipart, multipartThreshold: 1 });
    queue.add([file('a.bin', 'abcdefgh')], { profileId: 'p2' });
    queue.add([file('b.bin', 'abcdefgh')]);
    await queue.idle();
    expect(targets).toEqual([
      { key: 'up/a.bin', contentType: 'text/plain', profileId: 'p2' },
      { key: 'up/b.bin', contentType: 'text/plain' },
    ]);
  });

  it("is 'waiting' while prepare waits, then uploads when it returns", async () => {
    const unlocked = deferred();
    const waited = deferred();
    const { queue, plan, transport } = setup({
      prepare: async (_item, _signal, waiting) => {
        waiting();
        waited.resolve();
        await unlocked.promise;
      },
    });
    const [id] = queue.add([file('a.txt', 'a')]);
    await waited.promise;
    expect(item(queue, id!).status).toBe('waiting');
    expect(plan).not.toHaveBeenCalled();
    expect(transport.calls).toHaveLength(0);
    unlocked.resolve();
    await queue.idle();
    expect(item(queue, id!).status).toBe('done');
    expect(plan).toHaveBeenCalledTimes(1);
  });

  it('Cancel while waiting ends the item as cancelled without planning, and the next file goes on', async () => {
    const waited = deferred();
    let sawAbort = false;
    let calls = 0;
    const { queue, plan, sign, transport, copy } = setup({
      prepare: (_item, signal, waiting) => {
        // Only the first file finds the secrets locked.
        if (calls++ > 0) return Promise.resolve();
        waiting();
        waited.resolve();
        return new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => {
            sawAbort = true;
            resolve();
          }),
        );
      },
    });
    const [id, next] = queue.add([file('a.txt', 'a'), file('b.txt', 'b')]);
    await waited.promise;
    expect(item(queue, id!).status).toBe('waiting');
    expect(item(queue, next!).status).toBe('queued');
    queue.cancel(id!);
    expect(item(queue, id!).status).toBe('cancelled');
    await queue.idle();
    expect(sawAbort).toBe(true);
    expect(item(queue, id!)).toMatchObject({ status: 'cancelled', bytesPerSecond: 0 });
    expect(item(queue, id!).error).toBeUndefined();
    expect(plan.mock.calls.map(([f]) => f.name)).toEqual(['b.txt']);
    expect(sign.mock.calls.map(([r]) => r.key)).toEqual(['up/b.txt']);
    expect(transport.calls).toHaveLength(1);
    expect(copy).toHaveBeenCalledTimes(1);
    expect(item(queue, next!).status).toBe('done');
  });

  // The runner's threshold comes from the profile prepare reads; reading it before prepare applied an edit one upload late.
  it('uses the multipart threshold as it is after prepare, not before', async () => {
    let threshold = 100;
    const { multipart } = fakeMultipart();
    const { queue, sign, transport } = setup({
      multipart,
      get multipartThreshold() {
        return threshold;
      },
      prepare: async () => {
        threshold = 1;
      },
    });
    const [id] = queue.add([file('ten.bin', '0123456789')]);
    await queue.idle();
    expect(item(queue, id!).status).toBe('done');
    expect(multipart).toHaveBeenCalledTimes(1);
    expect(sign).not.toHaveBeenCalled();
    expect(transport.calls.map((c) => c.url)).toEqual(['http://127.0.0.1:9000/my-bucket/up/ten.bin?partNumber=1&uploadId=mp-1']);
  });

  it('without prepare, the threshold as given decides (100 bytes: one PUT)', async () => {
    const { multipart } = fakeMultipart();
    const { queue, sign } = setup({ multipart, multipartThreshold: 100 });
    const [id] = queue.add([file('ten.bin', '0123456789')]);
    await queue.idle();
    expect(item(queue, id!).status).toBe('done');
    expect(multipart).not.toHaveBeenCalled();
    expect(sign).toHaveBeenCalledTimes(1);
  });

  it('a prepare that fails fails the item with its message, and planning never happens', async () => {
    const { queue, plan } = setup({
      prepare: async () => {
        throw new Error('settings unreadable');
      },
    });
    const [id] = queue.add([file('a.txt', 'a')]);
    await queue.idle();
    expect(item(queue, id!)).toMatchObject({ status: 'failed', error: { code: 'Unexpected', message: 'The upload failed: settings unreadable' } });
    expect(plan).not.toHaveBeenCalled();
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
    const { queue, share, transport } = setup();
    transport.scripts.push(async () => ({ status: 503, body: '<Error><Code>SlowDown</Code></Error>' }));
    const [id] = queue.add([file('a.txt', 'alpha')], { profileId: 'p2', expiresIn: 900 });
    await queue.idle();
    expect(item(queue, id!)).toMatchObject({ status: 'failed', expiresIn: 900, profileId: 'p2' });
    queue.retry(id!);
    await queue.idle();
    expect(share.mock.calls).toEqual([[{ key: 'up/a.txt', fileName: 'a.txt', contentType: 'text/plain', profileId: 'p2', expiresIn: 900 }]]);
  });

  it('without a choice the share request carries no expiry (the profile’s applies)', async () => {
    const { queue, share, plan, sign } = setup();
    queue.add([file('a.txt', 'alpha')]);
    await queue.idle();
    expect(share.mock.calls[0]![0]).not.toHaveProperty('expiresIn');
    // Only the share link cares about the expiry.
    expect(plan.mock.calls[0]![0]).not.toHaveProperty('expiresIn');
    expect(sign.mock.calls[0]![0]).not.toHaveProperty('expiresIn');
  });

  it('a link without expiresAt (public, custom domain) is done with no expiry', async () => {
    const { queue, share } = setup();
    share.mockImplementation(async (request) => ({ ok: true, value: { url: `https://cdn.example.com/${request.key}`, headers: {} } }));
    const [id] = queue.add([file('a.txt', 'alpha')]);
    await queue.idle();
    expect(item(queue, id!)).toMatchObject({ status: 'done', link: 'https://cdn.example.com/up/a.txt', copied: true });
    expect(item(queue, id!).linkExpiresAt).toBeUndefined();
  });

  it('a plan that asks for If-None-Match has it signed, and the PUT sends the signed header', async () => {
    const { queue, plan, sign, transport } = setup();
    plan.mockImplementation(async (f) => ({ ok: true, value: { profileId: 'p', key: `up/${f.name}`, bucket: 'b', contentType: 'text/plain', ifNoneMatch: true } }));
    sign.mockImplementation(async (request) => ({
      ok: true,
      value: { url: 'http://127.0.0.1:9000/b/up/a.txt?sig', headers: { 'content-type': 'text/plain', ...(request.ifNoneMatch ? { 'if-none-match': '*' } : {}) }, expiresAt: Date.now() + 300_000 },
    }));
    queue.add([file('a.txt', 'alpha')]);
    await queue.idle();
    expect(sign.mock.calls[0]![0]).toMatchObject({ ifNoneMatch: true });
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
