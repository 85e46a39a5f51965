/**
 * JPEG: the metadata sits in APPn and COM segments before the first scan
 * (SOS); the picture is what follows, and it is never touched. Segments are
 * kept byte for byte except the ones the mode takes out.
 */
import { concat, mentionsGps, sameBytes, startsWith } from './bytes';
import { DamagedFile } from './report';
import { blankGps, orientationOnlyExif, readOrientation } from './tiff';

const EXIF_ID = 'Exif\0\0';

interface Segment {
  /** From the marker's first 0xFF (fill bytes included) to the end of its data. */
  start: number;
  end: number;
  marker: number;
  /** Where the data after the two length bytes starts. */
  data: number;
}

/** The segments before the first scan, and where the scan starts. Throws `DamagedFile` when a length runs past the file. */
function readSegments(bytes: Uint8Array): { segments: Segment[]; scan: number } {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new DamagedFile('not a JPEG');
  const segments: Segment[] = [];
  let pos = 2;
  for (;;) {
    const start = pos;
    if (bytes[pos] !== 0xff) throw new DamagedFile('JPEG segment without a marker');
    while (bytes[pos] === 0xff) pos++; // fill bytes
    if (pos >= bytes.length) throw new DamagedFile('JPEG ends before its picture');
    const marker = bytes[pos++]!;
    if (marker === 0xda) return { segments, scan: start };
    if (marker === 0xd9) throw new DamagedFile('JPEG ends before its picture');
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue; // no length
    if (pos + 2 > bytes.length) throw new DamagedFile('JPEG segment cut short');
    const length = (bytes[pos]! << 8) | bytes[pos + 1]!;
    if (length < 2 || pos + length > bytes.length) throw new DamagedFile('JPEG segment runs past the file');
    segments.push({ start, end: pos + length, marker, data: pos + 2 });
    pos += length;
  }
}

const isExif = (bytes: Uint8Array, s: Segment) => s.marker === 0xe1 && startsWith(bytes, s.data, EXIF_ID);
const isXmp = (bytes: Uint8Array, s: Segment) =>
  s.marker === 0xe1 && (startsWith(bytes, s.data, 'http://ns.adobe.com/xap/1.0/\0') || startsWith(bytes, s.data, 'http://ns.adobe.com/xmp/extension/\0'));

/** What "remove all" keeps: the picture's tables, JFIF, the colour profile (APP2 ICC), Adobe's colour transform (APP14), and the multi-picture index. */
function keptByStripAll(bytes: Uint8Array, s: Segment): boolean {
  if (s.marker === 0xfe) return false; // COM
  if (s.marker < 0xe0 || s.marker > 0xef) return true; // tables, frame, restart interval
  if (s.marker === 0xe0 || s.marker === 0xee) return true;
  if (s.marker === 0xe2) return startsWith(bytes, s.data, 'ICC_PROFILE\0') || startsWith(bytes, s.data, 'MPF\0');
  return false;
}

/**
 * EXIF blocks of pictures stored after the main one (a phone's multi-picture
 * file: previews, depth maps), found by their APP1 header, which cannot
 * occur inside compressed data (a 0xFF there is followed by 0x00 or a restart
 * marker). Their GPS is blanked in place, so the multi-picture index, which
 * counts bytes, stays right.
 */
function blankEmbeddedGps(out: Uint8Array, from: number): boolean {
  let changed = false;
  for (let i = from; i + 10 < out.length; i++) {
    if (out[i] !== 0xff || out[i + 1] !== 0xe1 || !startsWith(out, i + 4, EXIF_ID)) continue;
    const end = i + 2 + ((out[i + 2]! << 8) | out[i + 3]!);
    if (end > out.length) throw new DamagedFile('embedded EXIF runs past the file');
    changed = blankGps(out.subarray(i + 10, end)) || changed;
    i = end - 1;
  }
  return changed;
}

export function cleanJpeg(bytes: Uint8Array, mode: 'location' | 'all'): { bytes: Uint8Array; changed: boolean } {
  const { segments, scan } = readSegments(bytes);
  const out = bytes.slice();
  let changed = false;
  const parts: Uint8Array[] = [out.subarray(0, 2)];
  // Offsets in the multi-picture index count from its segment: nothing after it may change length.
  const mpf = segments.findIndex((s) => s.marker === 0xe2 && startsWith(bytes, s.data, 'MPF\0'));
  let orientation: number | undefined;
  let orientationWritten = false;
  if (mode === 'all') {
    const exif = segments.find((s) => isExif(bytes, s));
    orientation = exif ? readOrientation(bytes.subarray(exif.data + 6, exif.end)) : undefined;
  }
  segments.forEach((s, index) => {
    const segment = out.subarray(s.start, s.end);
    const movable = mpf < 0 || index < mpf;
    if (isExif(bytes, s)) changed = blankGps(out.subarray(s.data + 6, s.end)) || changed;
    if (mode === 'all' && movable && !keptByStripAll(bytes, s)) {
      if (isExif(bytes, s) && orientation !== undefined && !orientationWritten) {
        const tiff = orientationOnlyExif(orientation);
        const replacement = concat([new Uint8Array([0xff, 0xe1, 0, 2 + 6 + tiff.length]), new TextEncoder().encode(EXIF_ID), tiff]);
        orientationWritten = true;
        parts.push(replacement);
        // Already nothing but the orientation: nothing was removed.
        if (!sameBytes(replacement, bytes.subarray(s.start, s.end))) changed = true;
        return;
      }
      changed = true;
      return;
    }
    if (mode === 'location' && movable && isXmp(bytes, s) && mentionsGps(segment)) {
      changed = true;
      return;
    }
    parts.push(segment);
  });
  changed = blankEmbeddedGps(out, scan) || changed;
  parts.push(out.subarray(scan));
  return { bytes: changed ? concat(parts) : bytes, changed };
}
