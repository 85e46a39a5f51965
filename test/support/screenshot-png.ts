/**
 * A PNG like a real screenshot of a web page on a HiDPI screen: 2560×1440
 * RGB, a browser toolbar, lines of text and a photo with sensor noise (which
 * is what keeps real screenshots from compressing to nothing), with an
 * `eXIf` chunk (the camera block of test/support/photo.ts), a `tEXt`
 * Software chunk and `pHYs` at 144 dpi, and the image data split into 64 KiB
 * IDAT chunks as encoders write it. Deterministic: the same bytes every run.
 * `readPng` checks such a file independently of the code under test.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { exifSegment } from './photo';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** The CRC-32 PNG puts after each chunk (over its type and data). */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface ScreenshotPng {
  bytes: Buffer;
  width: number;
  height: number;
}

export function screenshotPng(options: { width?: number; height?: number; seed?: number } = {}): ScreenshotPng {
  const width = options.width ?? 2560;
  const height = options.height ?? 1440;
  // xorshift32: noise that does not compress, the same every run.
  let state = options.seed ?? 0x5eed1234;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height, 0xff);
  const set = (x: number, y: number, r: number, g: number, b: number) => {
    const at = y * stride + 1 + x * 3;
    raw[at] = r;
    raw[at + 1] = g;
    raw[at + 2] = b;
  };
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
  const photo = { x0: Math.round(width * 0.52), y0: Math.round(height * 0.16), x1: Math.round(width * 0.94), y1: Math.round(height * 0.78) };
  const text = { x0: 160, x1: photo.x0 - 80, y0: 220, lineHeight: 44, glyphHeight: 18 };
  /** Per line of text: whether each column is inside a word (words of 3 to 12 glyphs, a space between). */
  let inWord: boolean[] = [];
  for (let y = 0; y < height; y++) {
    if (y >= text.y0 && (y - text.y0) % text.lineHeight === 0) {
      inWord = Array.from({ length: width }, () => false);
      // The last line of a paragraph ends early.
      const end = (y - text.y0) / text.lineHeight % 6 === 5 ? text.x0 + (text.x1 - text.x0) * (0.3 + 0.5 * random()) : text.x1;
      for (let x = text.x0; x < end; ) {
        const w = Math.round((3 + random() * 9) * 11);
        for (let i = x; i < Math.min(x + w, end); i++) inWord[i] = true;
        x += w + 14;
      }
    }
    raw[y * stride] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      if (y < 88) {
        // Tab strip and toolbar, with an address bar.
        const bar = y < 40 ? 222 : x > 200 && x < width - 400 && y > 52 && y < 78 ? 252 : 241;
        set(x, y, bar, bar + 2, bar + 3);
      } else if (x >= photo.x0 && x < photo.x1 && y >= photo.y0 && y < photo.y1) {
        // A photo: sky to ground, plus sensor noise.
        const t = (y - photo.y0) / (photo.y1 - photo.y0);
        const noise = () => (random() - 0.5) * 48;
        set(x, y, clamp(90 + 100 * t + noise()), clamp(150 + 40 * t + noise()), clamp(230 - 170 * t + noise()));
      } else if (y >= text.y0 && (y - text.y0) % text.lineHeight < text.glyphHeight && inWord[x]) {
        // Glyph strokes, anti-aliased grey at the edges.
        const ink = random();
        if (ink < 0.4) set(x, y, 32, 33, 36);
        else if (ink < 0.5) set(x, y, 150, 151, 155);
      }
    }
  }
  const tiff = exifSegment({ make: 'Apple', model: 'MacBook Pro (14-inch, 2023)', dateTime: '2024:03:05 07:08:09' }).subarray(4 + 6);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, adaptive filtering, no interlace
  const phys = Buffer.alloc(9);
  phys.writeUInt32BE(5669, 0); // 144 dpi in pixels per metre
  phys.writeUInt32BE(5669, 4);
  phys[8] = 1;
  const data = deflateSync(raw);
  const idats: Buffer[] = [];
  for (let at = 0; at < data.length; at += 65536) idats.push(chunk('IDAT', data.subarray(at, at + 65536)));
  const bytes = Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('pHYs', phys),
    chunk('eXIf', Buffer.from(tiff)),
    chunk('tEXt', Buffer.from('Software\0Screenshot', 'latin1')),
    ...idats,
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return { bytes, width, height };
}

/** A PNG's chunk types in order and its size, every CRC and the image data's length checked; throws on a damaged file. */
export function readPng(bytes: Uint8Array): { width: number; height: number; chunks: string[] } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG signature');
  const chunks: string[] = [];
  const idat: Buffer[] = [];
  let width = 0;
  let height = 0;
  for (let at = 8; at < buf.length; ) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    if (crc32(buf.subarray(at + 4, at + 8 + length)) !== buf.readUInt32BE(at + 8 + length)) throw new Error(`bad CRC in ${type}`);
    chunks.push(type);
    if (type === 'IHDR') [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  if (chunks.at(-1) !== 'IEND') throw new Error('no IEND');
  // 8-bit RGB: a filter byte and 3 bytes a pixel per row.
  if (inflateSync(Buffer.concat(idat)).length !== height * (1 + width * 3)) throw new Error('image data does not fill the picture');
  return { width, height, chunks };
}
