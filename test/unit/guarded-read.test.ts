import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedRead, type ReadPolicy } from '../../src/capture/guarded-read';
import { fetchImageFromNetwork } from '../../src/background/page-image';

/**
 * The reader against real HTTP servers on loopback: two hosts (127.0.0.1 and
 * 127.0.0.2, both loopback on Linux) so a redirect can cross hosts as it does
 * on the web. Node's fetch keeps no cookies; what the reader asks for
 * (credentials, redirect mode) is recorded per request instead.
 */

const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const image = (size: number, fill = 7) => Buffer.concat([PNG_HEAD, Buffer.alloc(size - PNG_HEAD.length, fill)]);

interface Site {
  server: Server;
  origin: string;
  /** Paths asked for, in order. */
  seen: string[];
  /** Responses still open (stalled on purpose), ended after the test. */
  open: Set<ServerResponse>;
}

function listen(host: string, handler: (req: IncomingMessage, res: ServerResponse, site: Site) => void): Promise<Site> {
  return new Promise((resolve, reject) => {
    const site = { seen: [], open: new Set() } as unknown as Site;
    site.server = createServer((req, res) => {
      site.seen.push(req.url ?? '');
      handler(req, res, site);
    });
    site.server.once('error', reject);
    site.server.listen(0, host, () => {
      site.origin = `http://${host}:${(site.server.address() as AddressInfo).port}`;
      resolve(site);
    });
  });
}

let home: Site;
let storage: Site;
const big = image(3 * 1024 * 1024, 1);

beforeAll(async () => {
  // Stands for the user's own storage (a bucket's host): a redirect may not end here.
  storage = await listen('127.0.0.2', (req, res) => {
    if (req.url === '/bucket/private.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(image(64, 9));
    res.writeHead(404).end();
  });
  home = await listen('127.0.0.1', (req, res, site) => {
    const url = req.url ?? '';
    if (url === '/cat.png')
      return void res.writeHead(200, { 'content-type': 'image/png', 'content-disposition': 'inline; filename="cat.png"' }).end(image(100));
    if (url === '/big-chunked.png') {
      // No Content-Length: Node sends it chunked, 64 KiB at a time.
      res.writeHead(200, { 'content-type': 'image/png' });
      for (let i = 0; i < big.length; i += 65536) res.write(big.subarray(i, i + 65536));
      return void res.end();
    }
    if (url === '/big-declared.png') return void res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(big.length) }).end(big);
    if (url === '/moved.png') return void res.writeHead(302, { location: '/cat.png' }).end();
    if (url === '/to-storage.png') return void res.writeHead(302, { location: `${storage.origin}/bucket/private.png` }).end();
    if (url === '/hops-to-storage.png') return void res.writeHead(301, { location: '/to-storage.png' }).end();
    if (url === '/silent.png') {
      site.open.add(res);
      return; // never answers
    }
    if (url === '/stalls.png') {
      site.open.add(res);
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': '100000' });
      res.write(image(1000));
      return; // and then nothing
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
  });
});

afterAll(async () => {
  for (const site of [home, storage]) {
    for (const res of site.open) res.destroy();
    site.server.closeAllConnections();
    await new Promise((r) => site.server.close(r));
  }
});

const POLICY: ReadPolicy = { forbiddenHosts: [], maxBytes: 64 * 1024 * 1024, answerMs: 10_000, stallMs: 10_000, encoding: 'bytes' };

/** Node's fetch, recording what each request asked for. */
function recordingFetch() {
  const calls: { url: string; credentials?: RequestCredentials; redirect?: RequestRedirect }[] = [];
  const impl = ((url: string, init?: RequestInit) => {
    calls.push({ url, credentials: init?.credentials, redirect: init?.redirect });
    return fetch(url, init);
  }) as typeof fetch;
  return { calls, impl };
}

describe('guardedRead', () => {
  it('reads an image that answers at once: one request, with cookies, following nothing', async () => {
    const { calls, impl } = recordingFetch();
    const read = await guardedRead(`${home.origin}/cat.png`, POLICY, impl);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(Buffer.from(read.bytes!).equals(image(100))).toBe(true);
    expect(read.contentType).toBe('image/png');
    expect(read.contentDisposition).toBe('inline; filename="cat.png"');
    expect(calls).toEqual([{ url: `${home.origin}/cat.png`, credentials: 'include', redirect: 'manual' }]);
  });

  it('follows a redirect only in a second request without cookies', async () => {
    const { calls, impl } = recordingFetch();
    const read = await guardedRead(`${home.origin}/moved.png`, POLICY, impl);
    expect(read.ok && Buffer.from(read.bytes!).equals(image(100))).toBe(true);
    expect(read.ok && read.finalUrl).toBe(`${home.origin}/cat.png`);
    expect(calls).toEqual([
      { url: `${home.origin}/moved.png`, credentials: 'include', redirect: 'manual' },
      { url: `${home.origin}/moved.png`, credentials: 'omit', redirect: 'follow' },
    ]);
  });

  it('refuses a redirect that ends on the user’s own storage, however many hops it takes', async () => {
    const policy = { ...POLICY, forbiddenHosts: ['http://127.0.0.2'] };
    for (const path of ['/to-storage.png', '/hops-to-storage.png'])
      expect(await guardedRead(`${home.origin}${path}`, policy)).toEqual({ ok: false, reason: 'own-storage', host: new URL(storage.origin).host });
  });

  it('reads the user’s own storage when that is what was clicked', async () => {
    const read = await guardedRead(`${storage.origin}/bucket/private.png`, { ...POLICY, forbiddenHosts: ['http://127.0.0.2'] });
    expect(read.ok).toBe(true);
  });

  it('stops a chunked body that passes the limit, without its size being announced', async () => {
    const read = await guardedRead(`${home.origin}/big-chunked.png`, { ...POLICY, maxBytes: 1024 * 1024 });
    expect(read).toEqual({ ok: false, reason: 'too-large' });
    // The same body under a higher limit is read whole, byte for byte.
    const whole = await guardedRead(`${home.origin}/big-chunked.png`, POLICY);
    expect(whole.ok && Buffer.from(whole.bytes!).equals(big)).toBe(true);
  });

  it('refuses a body whose Content-Length is over the limit before reading it', async () => {
    expect(await guardedRead(`${home.origin}/big-declared.png`, { ...POLICY, maxBytes: 1024 * 1024 })).toEqual({ ok: false, reason: 'too-large' });
  });

  it('gives up on a server that does not answer, and on one that stops mid-body', async () => {
    // Only the clock under test is short, so a slow machine cannot make one failure look like the other.
    expect(await guardedRead(`${home.origin}/silent.png`, { ...POLICY, answerMs: 300 })).toEqual({ ok: false, reason: 'no-answer' });
    expect(await guardedRead(`${home.origin}/stalls.png`, { ...POLICY, stallMs: 300 })).toEqual({ ok: false, reason: 'stalled' });
  });

  it('reports an HTTP error and a connection refused', async () => {
    expect(await guardedRead(`${home.origin}/missing.png`, POLICY)).toEqual({ ok: false, reason: 'status', status: 404 });
    const refused = await guardedRead('http://127.0.0.1:1/x.png', POLICY);
    expect(refused.ok === false && refused.reason).toBe('network');
  });

  it('answers base64 for the page, decoding to the same bytes', async () => {
    const read = await guardedRead(`${home.origin}/big-chunked.png`, { ...POLICY, encoding: 'base64' });
    expect(read.ok && Buffer.from(read.base64!, 'base64').equals(big)).toBe(true);
    expect(read.ok && read.bytes).toBeUndefined();
  });

  // Serialised into pages by scripting.executeScript: only the function's own text travels.
  it('is self-contained: rebuilt from its source text alone, it still reads', async () => {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point is to lose every closure
    const rebuilt = new Function(`return (${guardedRead.toString()})`)() as typeof guardedRead;
    const read = await rebuilt(`${home.origin}/cat.png`, POLICY);
    expect(read.ok && Buffer.from(read.bytes!).equals(image(100))).toBe(true);
  });
});

describe('fetchImageFromNetwork', () => {
  it('turns each refusal into a sentence that says nothing was saved', async () => {
    const limits = { forbiddenHosts: ['http://127.0.0.2'], maxBytes: 1024 * 1024, answerMs: 10_000, stallMs: 10_000 };
    const host = new URL(home.origin).host;
    const sentence = (path: string, clocks: { answerMs?: number; stallMs?: number } = {}) =>
      fetchImageFromNetwork(`${home.origin}${path}`, { ...limits, ...clocks }).then(() => 'read', (err: Error) => err.message);
    expect(await sentence('/big-chunked.png')).toBe('The image is larger than 1 MiB, the most S3 Drop saves from a page, so nothing was uploaded.');
    expect(await sentence('/silent.png', { answerMs: 1500 })).toBe(`${host} did not answer within 2 seconds, so the image was not saved.`);
    expect(await sentence('/stalls.png', { stallMs: 1500 })).toBe(`${host} stopped sending the image for 2 seconds, so it was not saved.`);
    expect(await sentence('/to-storage.png')).toMatch(new RegExp(`sent S3 Drop on to ${new URL(storage.origin).host.replace(/\./g, '\\.')}, where your own files are kept.*nothing was uploaded\\.$`));
    expect(await sentence('/missing.png')).toBe(`${host} answered HTTP 404 for the image, so nothing was uploaded.`);
  });
});
