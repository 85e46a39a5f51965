/**
 * A one-image page on loopback for the right-click row: a real PNG (the
 * extension's 128 px icon) padded to exactly `bytes` (decoders ignore
 * trailing bytes), served same-origin with the page and never from the HTTP
 * cache, so every read, the extension's and the baseline's, goes to the server.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { ROOT } from './build';

export interface ImagePage {
  pageUrl: string;
  imageUrl: string;
  origin: string;
  image: Buffer;
  stop(): Promise<void>;
}

export function paddedPng(bytes: number): Buffer {
  const png = readFileSync(join(ROOT, 'public', 'icon', '128.png'));
  if (bytes < png.length) throw new Error(`an image of ${bytes} bytes is smaller than the PNG (${png.length})`);
  const out = Buffer.alloc(bytes, 0x61);
  png.copy(out);
  return out;
}

export async function startImagePage(bytes: number): Promise<ImagePage> {
  const image = paddedPng(bytes);
  const server = createServer((req, res) => {
    const noStore = { 'cache-control': 'no-store' };
    if (req.url === '/') {
      res.writeHead(200, { ...noStore, 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><head><meta charset="utf-8"><title>Bench image</title></head><body><img id="big" alt="a large image" src="/img/big.png"></body></html>');
      return;
    }
    if (req.url === '/img/big.png') {
      res.writeHead(200, { ...noStore, 'content-type': 'image/png', 'content-length': image.length });
      res.end(image);
      return;
    }
    res.writeHead(404, noStore).end();
  });
  // Keep-alive sockets would hold close() open.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    pageUrl: `${origin}/`,
    imageUrl: `${origin}/img/big.png`,
    origin,
    image,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
