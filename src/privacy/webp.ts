/**
 * WebP: a RIFF file ("RIFF", size, "WEBP") of chunks (FourCC, little-endian
 * size, data padded to an even length). Extended files start with VP8X, whose
 * flags say whether EXIF, XMP and a colour profile (ICCP) follow. EXIF is the
 * `EXIF` chunk (a TIFF block; some writers put "Exif\0\0" before it), XMP the
 * `XMP ` chunk. The picture's chunks are copied byte for byte.
 */
import { concat, mentionsGps, sameBytes, startsWith } from './bytes';
import { DamagedFile } from './report';
import { blankGps, orientationOnlyExif, readOrientation } from './tiff';

const FLAG_EXIF = 0x08;
const FLAG_XMP = 0x04;

interface Chunk {
  id: string;
  start: number;
  data: number;
  dataEnd: number;
  /** After the padding byte, if any. */
  end: number;
}

const u32le = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

function readChunks(bytes: Uint8Array): Chunk[] {
  if (!startsWith(bytes, 0, 'RIFF') || !startsWith(bytes, 8, 'WEBP')) throw new DamagedFile('not a WebP');
  // The RIFF size is the file's length after its first 8 bytes; a file that says otherwise was cut or padded.
  if (u32le(bytes, 4) !== bytes.length - 8) throw new DamagedFile('RIFF size does not match the file');
  const chunks: Chunk[] = [];
  let pos = 12;
  while (pos < bytes.length) {
    if (pos + 8 > bytes.length) throw new DamagedFile('WebP chunk header cut short');
    const size = u32le(bytes, pos + 4);
    const dataEnd = pos + 8 + size;
    const end = dataEnd + (size & 1);
    if (end > bytes.length) throw new DamagedFile('WebP chunk runs past the file');
    chunks.push({ id: String.fromCharCode(...bytes.subarray(pos, pos + 4)), start: pos, data: pos + 8, dataEnd, end });
    pos = end;
  }
  return chunks;
}

function chunk(id: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length + (data.length & 1));
  for (let i = 0; i < 4; i++) out[i] = id.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
}

/** Where the TIFF block starts in an EXIF chunk's data. */
const tiffStart = (data: Uint8Array) => (startsWith(data, 0, 'Exif\0\0') ? 6 : 0);

export function cleanWebp(bytes: Uint8Array, mode: 'location' | 'all'): { bytes: Uint8Array; changed: boolean } {
  const chunks = readChunks(bytes);
  let changed = false;
  let clearFlags = 0;
  const parts: Uint8Array[] = [];
  for (const c of chunks) {
    const whole = bytes.subarray(c.start, c.end);
    if (c.id === 'EXIF') {
      const data = bytes.slice(c.data, c.dataEnd);
      const tiff = data.subarray(tiffStart(data));
      const blanked = blankGps(tiff);
      if (mode === 'all') {
        const orientation = readOrientation(tiff);
        if (orientation === undefined) {
          clearFlags |= FLAG_EXIF;
          changed = true;
          continue;
        }
        const kept = chunk('EXIF', orientationOnlyExif(orientation));
        parts.push(kept);
        if (!sameBytes(kept, whole)) changed = true;
        continue;
      }
      parts.push(blanked ? chunk('EXIF', data) : whole);
      changed ||= blanked;
      continue;
    }
    if (c.id === 'XMP ' && (mode === 'all' || mentionsGps(bytes.subarray(c.data, c.dataEnd)))) {
      clearFlags |= FLAG_XMP;
      changed = true;
      continue;
    }
    parts.push(whole);
  }
  if (!changed) return { bytes, changed };
  const body = concat(parts);
  // VP8X's flags must not announce a chunk that is gone.
  if (startsWith(body, 0, 'VP8X') && body.length > 8) body[8] = body[8]! & ~clearFlags;
  const header = new Uint8Array(12);
  header.set(bytes.subarray(0, 12));
  new DataView(header.buffer).setUint32(4, body.length + 4, true);
  return { bytes: concat([header, body]), changed };
}
