/**
 * Reads the pixels of a PNG in plain Node (zlib and the PNG filters), sharing
 * no code with S3 Drop, so a test can look at what a capture really drew.
 * Handles what browsers write: 8-bit RGB or RGBA, not interlaced.
 */
import { inflateSync } from 'node:zlib';

export interface PngPixels {
  width: number;
  height: number;
  /** Bytes per pixel: 3 (RGB) or 4 (RGBA). */
  channels: number;
  /** Rows top to bottom, unfiltered. */
  data: Buffer;
}

export function decodePng(bytes: Uint8Array): PngPixels {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < buf.length; ) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
      const [depth, colour, , , interlace] = data.subarray(8, 13);
      if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6)) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
      channels = colour === 6 ? 4 : 3;
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = out.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? out.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? row[i - channels]! : 0;
      const b = up[i]!;
      const c = i >= channels ? up[i - channels]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad filter ${filter} on row ${y}`);
      row[i] = (line[i]! + predictor) & 0xff;
    }
  }
  return { width, height, channels, data: out };
}

/** `#rrggbb` of one pixel. */
export function pixelAt(png: PngPixels, x: number, y: number): string {
  const at = (y * png.width + x) * png.channels;
  return `#${[0, 1, 2].map((i) => png.data[at + i]!.toString(16).padStart(2, '0')).join('')}`;
}

/** A run of rows that are all one colour between `fromX` and `toX` (or mixed: `null`), `end` exclusive. */
export interface Band {
  colour: string | null;
  start: number;
  end: number;
}

/** The picture's rows, between two columns, as runs of one colour; a row whose pixels differ there is `null`. */
export function rowBands(png: PngPixels, fromX: number, toX: number): Band[] {
  const bands: Band[] = [];
  for (let y = 0; y < png.height; y++) {
    const first = pixelAt(png, fromX, y);
    let colour: string | null = first;
    for (let x = fromX + 1; x < toX; x++)
      if (pixelAt(png, x, y) !== first) {
        colour = null;
        break;
      }
    const last = bands.at(-1);
    if (last && last.colour === colour) last.end = y + 1;
    else bands.push({ colour, start: y, end: y + 1 });
  }
  return bands;
}
