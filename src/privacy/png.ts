/**
 * PNG: a signature, then chunks (length, type, data, CRC-32 of type and
 * data). EXIF lives in `eXIf`; text chunks (`tEXt`, `zTXt`, `iTXt`) carry
 * XMP and comments. The picture's chunks are copied byte for byte.
 */
import { Crc32Js } from '@smithy/core/checksum';
import { concat, mentionsGps, sameBytes, startsWith } from './bytes';
import { DamagedFile } from './report';
import { blankGps, orientationOnlyExif, readOrientation } from './tiff';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

interface Chunk {
  type: string;
  start: number;
  /** Where the data starts (after length and type). */
  data: number;
  /** The data's end; the CRC follows. */
  dataEnd: number;
  end: number;
}

/**
 * CRC-32 as PNG (and zlib) computes it. The AWS SDK's own pure-JS CRC-32 (it
 * checksums uploads with it), because `node:zlib`'s is not in browsers.
 */
function crc32(bytes: Uint8Array): number {
  const crc = new Crc32Js();
  crc.update(bytes);
  return crc.digestSync();
}

const u32 = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** Every chunk up to IEND, each CRC checked. Throws `DamagedFile` on a cut file or a bad checksum. */
function readChunks(bytes: Uint8Array): { chunks: Chunk[]; end: number } {
  if (!SIGNATURE.every((v, i) => bytes[i] === v)) throw new DamagedFile('not a PNG');
  const chunks: Chunk[] = [];
  let pos = 8;
  for (;;) {
    if (pos + 12 > bytes.length) throw new DamagedFile('PNG ends before IEND');
    const length = u32(bytes, pos);
    const dataEnd = pos + 8 + length;
    if (dataEnd + 4 > bytes.length) throw new DamagedFile('PNG chunk runs past the file');
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (crc32(bytes.subarray(pos + 4, dataEnd)) !== u32(bytes, dataEnd)) throw new DamagedFile(`PNG ${type} chunk has a bad checksum`);
    chunks.push({ type, start: pos, data: pos + 8, dataEnd, end: dataEnd + 4 });
    pos = dataEnd + 4;
    if (type === 'IEND') return { chunks, end: pos };
    if (chunks.length === 1 && type !== 'IHDR') throw new DamagedFile('PNG does not start with IHDR');
  }
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const TEXT_CHUNKS = new Set(['tEXt', 'zTXt', 'iTXt']);

/**
 * A text chunk that may hold a location: XMP, a compressed chunk whose text
 * cannot be read without inflating it, and the copies of EXIF some tools
 * keep as text ("Raw profile type exif").
 */
function textMayLocate(bytes: Uint8Array, c: Chunk): boolean {
  const data = bytes.subarray(c.data, c.dataEnd);
  if (startsWith(data, 0, 'Raw profile type')) return true;
  if (c.type === 'zTXt') return startsWith(data, 0, 'XML:com.adobe.xmp');
  if (c.type === 'iTXt' && startsWith(data, 0, 'XML:com.adobe.xmp\0')) return data[18] === 1 || mentionsGps(data);
  return mentionsGps(data);
}

export function cleanPng(bytes: Uint8Array, mode: 'location' | 'all'): { bytes: Uint8Array; changed: boolean } {
  const { chunks, end } = readChunks(bytes);
  let changed = false;
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let orientationWritten = false;
  for (const c of chunks) {
    const whole = bytes.subarray(c.start, c.end);
    if (c.type === 'eXIf') {
      const exif = bytes.slice(c.data, c.dataEnd);
      const blanked = blankGps(exif);
      if (mode === 'all') {
        const orientation = readOrientation(exif);
        const kept: Uint8Array | undefined = !orientationWritten && orientation !== undefined ? chunk('eXIf', orientationOnlyExif(orientation)) : undefined;
        orientationWritten ||= Boolean(kept);
        if (kept) parts.push(kept);
        if (!kept || !sameBytes(kept, whole)) changed = true;
        continue;
      }
      parts.push(blanked ? chunk('eXIf', exif) : whole);
      changed ||= blanked;
      continue;
    }
    if (TEXT_CHUNKS.has(c.type) && (mode === 'all' || textMayLocate(bytes, c))) {
      changed = true;
      continue;
    }
    if (mode === 'all' && c.type === 'tIME') {
      changed = true;
      continue;
    }
    parts.push(whole);
  }
  // Anything after IEND is not part of the picture; it is kept as it was.
  parts.push(bytes.subarray(end));
  return { bytes: changed ? concat(parts) : bytes, changed };
}
