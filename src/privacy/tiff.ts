/**
 * EXIF is a small TIFF file: a header, then directories (IFDs) of 12-byte
 * entries whose values sit inline or at offsets from the TIFF's start. JPEG,
 * PNG and WebP all carry this same structure, so the three rewriters share
 * what is here.
 *
 * The location is the GPS directory, reached from IFD0's tag 0x8825. It is
 * removed by blanking: the pointer entry leaves IFD0 (the entries after it move
 * up, the freed 12 bytes become zeros) and the GPS directory and its values are
 * overwritten with zeros. Nothing moves, so every other offset in the block
 * (the camera's maker note among them, which nobody can re-point safely) stays
 * right, and the block keeps its length.
 */
import { DamagedFile } from './report';

const TAG_EXIF_IFD = 0x8769;
const TAG_GPS_IFD = 0x8825;
const TAG_INTEROP_IFD = 0xa005;
const TAG_ORIENTATION = 0x0112;
const TAG_THUMBNAIL_OFFSET = 0x0201;
const TAG_THUMBNAIL_LENGTH = 0x0202;

/** Bytes per value of each TIFF type (1 BYTE … 13 IFD). */
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

interface Entry {
  tag: number;
  type: number;
  count: number;
  /** Where the entry sits in the block. */
  at: number;
  /** Where its value sits: inline (`at + 8`) or at its offset; -1 when its type is unknown. */
  valueAt: number;
  valueSize: number;
}

interface Ifd {
  offset: number;
  entries: Entry[];
  /** The byte after the next-IFD pointer. */
  end: number;
  next: number;
}

type Range = [start: number, end: number];

class Tiff {
  readonly little: boolean;
  readonly ifd0: number;
  constructor(readonly bytes: Uint8Array) {
    if (bytes.length < 8) throw new DamagedFile('EXIF block shorter than its header');
    const order = String.fromCharCode(bytes[0]!, bytes[1]!);
    if (order !== 'II' && order !== 'MM') throw new DamagedFile('EXIF byte order unknown');
    this.little = order === 'II';
    if (this.u16(2) !== 42) throw new DamagedFile('EXIF header is not TIFF');
    this.ifd0 = this.u32(4);
  }

  u16(at: number): number {
    const b = this.bytes;
    return this.little ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
  }

  u32(at: number): number {
    const b = this.bytes;
    return this.little
      ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0
      : ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  }

  /**
   * Reads one directory. `strict`: every value must lie inside the block (the
   * GPS directory, which is blanked). Otherwise values outside are left out of
   * the ranges: cameras write odd maker-note offsets, and other directories are
   * read only to keep the blanking off them.
   */
  ifd(offset: number, strict: boolean): Ifd {
    const len = this.bytes.length;
    if (offset < 8 || offset + 2 > len) throw new DamagedFile('EXIF directory outside the block');
    const count = this.u16(offset);
    const end = offset + 2 + count * 12 + 4;
    if (end > len) throw new DamagedFile('EXIF directory runs past the block');
    const entries: Entry[] = [];
    for (let i = 0; i < count; i++) {
      const at = offset + 2 + i * 12;
      const type = this.u16(at + 2);
      const n = this.u32(at + 4);
      const unit = TYPE_SIZE[type];
      if (unit === undefined) {
        if (strict) throw new DamagedFile('EXIF entry of unknown type');
        entries.push({ tag: this.u16(at), type, count: n, at, valueAt: -1, valueSize: 0 });
        continue;
      }
      const valueSize = unit * n;
      const valueAt = valueSize <= 4 ? at + 8 : this.u32(at + 8);
      if (valueSize > 4 && valueAt + valueSize > len) {
        if (strict) throw new DamagedFile('EXIF value past the block');
        entries.push({ tag: this.u16(at), type, count: n, at, valueAt: -1, valueSize: 0 });
        continue;
      }
      entries.push({ tag: this.u16(at), type, count: n, at, valueAt, valueSize });
    }
    return { offset, entries, end, next: this.u32(end - 4) };
  }
}

/** The bytes a directory holds: its table, and the values stored outside it. */
function rangesOf(ifd: Ifd): Range[] {
  const ranges: Range[] = [[ifd.offset, ifd.end]];
  for (const e of ifd.entries) if (e.valueAt >= 0 && e.valueSize > 4) ranges.push([e.valueAt, e.valueAt + e.valueSize]);
  return ranges;
}

const pointer = (ifd: Ifd, tag: number) => ifd.entries.find((e) => e.tag === tag && e.valueSize === 4 && e.valueAt >= 0);

/** Every range the other directories use (IFD0, Exif, Interop, IFD1 and its thumbnail), which the blanking must not touch. */
function protectedRanges(tiff: Tiff, ifd0: Ifd): Range[] {
  const ranges: Range[] = [[0, 8], ...rangesOf(ifd0)];
  const follow = (from: Ifd, tag: number) => {
    const p = pointer(from, tag);
    if (!p) return undefined;
    const ifd = tiff.ifd(tiff.u32(p.valueAt), false);
    ranges.push(...rangesOf(ifd));
    return ifd;
  };
  const exif = follow(ifd0, TAG_EXIF_IFD);
  if (exif) follow(exif, TAG_INTEROP_IFD);
  if (ifd0.next) {
    const ifd1 = tiff.ifd(ifd0.next, false);
    ranges.push(...rangesOf(ifd1));
    const offset = pointer(ifd1, TAG_THUMBNAIL_OFFSET);
    const length = pointer(ifd1, TAG_THUMBNAIL_LENGTH);
    if (offset && length) {
      const start = tiff.u32(offset.valueAt);
      ranges.push([start, start + tiff.u32(length.valueAt)]);
    }
  }
  return ranges;
}

/**
 * Removes the GPS directory from an EXIF block, in place; the block keeps its
 * length. Returns whether there was one. Throws `DamagedFile` (having changed
 * nothing) when the block does not add up, or when the GPS data shares bytes
 * with other tags, so that zeroing it would damage them.
 */
export function blankGps(bytes: Uint8Array): boolean {
  const tiff = new Tiff(bytes);
  const ifd0 = tiff.ifd(tiff.ifd0, false);
  const index = ifd0.entries.findIndex((e) => e.tag === TAG_GPS_IFD);
  if (index < 0) return false;
  const entry = ifd0.entries[index]!;
  if (entry.valueSize !== 4 || entry.valueAt < 0) throw new DamagedFile('GPS pointer of the wrong type');
  const gps = tiff.ifd(tiff.u32(entry.valueAt), true);
  const blank = rangesOf(gps);
  // Everything else the block uses (IFD0's table included, which holds the pointer itself, inline).
  const keep = protectedRanges(tiff, ifd0);
  for (const [s, e] of blank) for (const [ks, ke] of keep) if (s < ke && ks < e) throw new DamagedFile('GPS data overlaps other tags');

  // IFD0 without the pointer: later entries and the next-IFD pointer move up 12 bytes; the freed tail is zeroed.
  const count = ifd0.entries.length;
  bytes.copyWithin(entry.at, entry.at + 12, ifd0.end);
  bytes.fill(0, ifd0.end - 12, ifd0.end);
  const newCount = count - 1;
  if (tiff.little) {
    bytes[ifd0.offset] = newCount & 0xff;
    bytes[ifd0.offset + 1] = newCount >> 8;
  } else {
    bytes[ifd0.offset] = newCount >> 8;
    bytes[ifd0.offset + 1] = newCount & 0xff;
  }
  for (const [s, e] of blank) bytes.fill(0, s, e);
  return true;
}

/** Whether an EXIF block has a GPS directory; throws `DamagedFile` when IFD0 cannot be read. */
export function hasGps(bytes: Uint8Array): boolean {
  const tiff = new Tiff(bytes);
  return tiff.ifd(tiff.ifd0, false).entries.some((e) => e.tag === TAG_GPS_IFD);
}

/** The block's Orientation (1–8), or `undefined`; throws `DamagedFile` when IFD0 cannot be read. */
export function readOrientation(bytes: Uint8Array): number | undefined {
  const tiff = new Tiff(bytes);
  const entry = tiff.ifd(tiff.ifd0, false).entries.find((e) => e.tag === TAG_ORIENTATION);
  if (!entry || entry.type !== 3 || entry.count !== 1) return undefined;
  const value = tiff.u16(entry.valueAt);
  return value >= 1 && value <= 8 ? value : undefined;
}

/** An EXIF block holding only an Orientation (26 bytes, little-endian): what "remove all" leaves, so photos do not turn sideways. */
export function orientationOnlyExif(orientation: number): Uint8Array {
  const out = new Uint8Array(26);
  const view = new DataView(out.buffer);
  out.set([0x49, 0x49], 0); // "II"
  view.setUint16(2, 42, true);
  view.setUint32(4, 8, true);
  view.setUint16(8, 1, true); // one entry
  view.setUint16(10, TAG_ORIENTATION, true);
  view.setUint16(12, 3, true); // SHORT
  view.setUint32(14, 1, true);
  view.setUint16(18, orientation, true);
  view.setUint32(22, 0, true); // no next directory
  return out;
}
