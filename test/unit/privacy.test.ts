import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanPhoto, photoFormat } from '../../src/privacy/clean';
import { decodedPixels, exifTags, locationTags, photoReadersAvailable } from '../support/photo-readers';

const photo = (name: string) => new Uint8Array(readFileSync(resolve(import.meta.dirname, '../fixtures/photos', name)));

/** Where `ascii` first occurs in `bytes` at or after `from`. */
function find(bytes: Uint8Array, ascii: string | number[], from = 0): number {
  const needle = typeof ascii === 'string' ? [...ascii].map((c) => c.charCodeAt(0)) : ascii;
  for (let i = from; i + needle.length <= bytes.length; i++) if (needle.every((v, j) => bytes[i + j] === v)) return i;
  throw new Error(`not found: ${String(ascii)}`);
}

const SAMPLES = [
  { file: 'camera.jpg', format: 'jpeg' },
  { file: 'camera.png', format: 'png' },
  { file: 'camera.webp', format: 'webp' },
] as const;

describe.runIf(photoReadersAvailable())('privacy stage, read back by ExifTool and Pillow', () => {
  describe.each(SAMPLES)('$file', ({ file, format }) => {
    const original = photo(file);
    const before = exifTags(original, file);
    const pixels = decodedPixels(original, file);

    it('the sample carries a location, an orientation, a camera, XMP and a colour profile', () => {
      expect(before['EXIF:GPSLatitude']).toBeCloseTo(48.858222, 5);
      expect(before['EXIF:Orientation']).toBe(6);
      expect(before['EXIF:Make']).toBe('ExampleCam');
      expect(before['XMP:Creator']).toBe('Sample Photographer');
      expect(before['ICC_Profile:ProfileDescription']).toBe('sRGB built-in');
    });

    it('location: no GPS tag is left; orientation, camera, XMP, colour profile and pixels are as they were', () => {
      const cleaned = cleanPhoto(original, 'location')!;
      expect(cleaned.report).toEqual({ status: 'removed', mode: 'location', format });
      const after = exifTags(cleaned.bytes, file);
      expect(locationTags(after)).toEqual([]);
      expect(after['ExifTool:Warning']).toBeUndefined();
      expect(after['ExifTool:Error']).toBeUndefined();
      for (const tag of ['EXIF:Orientation', 'EXIF:Make', 'EXIF:Model', 'EXIF:DateTimeOriginal', 'XMP:Creator', 'ICC_Profile:ProfileDescription'])
        expect(after[tag], tag).toEqual(before[tag]);
      expect(decodedPixels(cleaned.bytes, file)).toBe(pixels);
    });

    it('all: only the orientation and the colour profile are left; pixels are as they were', () => {
      const cleaned = cleanPhoto(original, 'all')!;
      expect(cleaned.report).toEqual({ status: 'removed', mode: 'all', format });
      const after = exifTags(cleaned.bytes, file);
      expect(locationTags(after)).toEqual([]);
      expect(after['EXIF:Orientation']).toBe(6);
      expect(after['ICC_Profile:ProfileDescription']).toBe('sRGB built-in');
      // PNG's own group also names the header's fields and the colour profile's name: those are the picture's.
      const header = /^PNG:(ImageWidth|ImageHeight|BitDepth|ColorType|Compression|Filter|Interlace|ProfileName)$/;
      const left = Object.keys(after).filter((k) => (/^(EXIF|XMP|IPTC|PNG):/.test(k) && !header.test(k)) || k === 'File:Comment');
      expect(left).toEqual(['EXIF:Orientation']);
      expect(after['ExifTool:Warning']).toBeUndefined();
      expect(decodedPixels(cleaned.bytes, file)).toBe(pixels);
    });

    it('keep: nothing is read or changed', () => {
      expect(cleanPhoto(original, 'keep')).toBeNull();
    });
  });

  it('JPEG, location: the file keeps its length and changes only inside its EXIF segment', () => {
    const original = photo('camera.jpg');
    const cleaned = cleanPhoto(original, 'location')!.bytes;
    expect(cleaned.length).toBe(original.length);
    const app1 = find(original, [0xff, 0xe1]);
    const app1End = app1 + 2 + ((original[app1 + 2]! << 8) | original[app1 + 3]!);
    expect(Buffer.from(cleaned.subarray(0, app1))).toEqual(Buffer.from(original.subarray(0, app1)));
    expect(Buffer.from(cleaned.subarray(app1End))).toEqual(Buffer.from(original.subarray(app1End)));
  });

  it('a JPEG without a location comes back as it was', () => {
    const original = photo('no-gps.jpg');
    const cleaned = cleanPhoto(original, 'location')!;
    expect(cleaned.report.status).toBe('none-found');
    expect(cleaned.bytes).toBe(original);
  });

  it('a location written in XMP only goes too; the EXIF stays', () => {
    const original = photo('xmp-gps.jpg');
    expect(exifTags(original)['XMP:GPSLatitude']).toBeCloseTo(48.858222, 5);
    const cleaned = cleanPhoto(original, 'location')!;
    expect(cleaned.report.status).toBe('removed');
    const after = exifTags(cleaned.bytes);
    expect(locationTags(after)).toEqual([]);
    expect(after['EXIF:Orientation']).toBe(3);
    expect(after['EXIF:Make']).toBe('ExampleCam');
    expect(decodedPixels(cleaned.bytes)).toBe(decodedPixels(original));
  });
});

describe('formats the stage cannot rewrite, and files that are not photos', () => {
  it('HEIC and AVIF: "cannot", unchanged', () => {
    // An ISO-BMFF file's first box: size, "ftyp", major brand.
    for (const [brand, format] of [['heic', 'heic'], ['mif1', 'heic'], ['avif', 'avif']] as const) {
      const bytes = new Uint8Array([0, 0, 0, 24, ...Buffer.from(`ftyp${brand}\0\0\0\0mif1heic`)]);
      expect(cleanPhoto(bytes, 'location')).toEqual({ bytes, report: { status: 'cannot', format } });
    }
  });

  it('a PDF or a GIF has nothing to say', () => {
    expect(cleanPhoto(new TextEncoder().encode('%PDF-1.7\n'), 'location')).toBeNull();
    expect(photoFormat(new TextEncoder().encode('GIF89a\x01\0\x01\0'))).toBeNull();
  });
});

describe('damaged files go up untouched, with a note, and never throw', () => {
  const damaged = (bytes: Uint8Array, mode: 'location' | 'all' = 'location') => {
    const result = cleanPhoto(bytes, mode)!;
    expect(result.report.status).toBe('damaged');
    expect(result.bytes).toBe(bytes);
  };
  const jpeg = () => photo('camera.jpg');
  // The sample's EXIF is big-endian ("MM"): the GPS pointer is tag 0x8825, type LONG, count 1.
  const gpsPointer = (bytes: Uint8Array) => find(bytes, [0x88, 0x25, 0, 4, 0, 0, 0, 1]);

  it('JPEG: EXIF cut short (the file ends inside it)', () => {
    const bytes = jpeg();
    damaged(bytes.slice(0, find(bytes, 'Exif\0\0') + 40));
  });

  it('JPEG: the GPS directory points past the EXIF block', () => {
    const bytes = jpeg();
    bytes.set([0x00, 0xff, 0xff, 0x00], gpsPointer(bytes) + 8);
    for (const mode of ['location', 'all'] as const) damaged(bytes, mode);
  });

  it('JPEG: IFD0 points past the EXIF block', () => {
    const bytes = jpeg();
    bytes.set([0x7f, 0, 0, 0], find(bytes, 'MM\0*') + 4);
    damaged(bytes);
  });

  it('JPEG: the GPS directory points into IFD0 (zeroing it would destroy other tags)', () => {
    const bytes = jpeg();
    const tiff = find(bytes, 'MM\0*');
    bytes.set([0, 0, 0, 8], gpsPointer(bytes) + 8);
    expect(tiff).toBeGreaterThan(0);
    damaged(bytes);
  });

  it('JPEG: a segment length that runs past the file', () => {
    const bytes = jpeg();
    const app1 = find(bytes, [0xff, 0xe1]);
    bytes.set([0xff, 0xff], app1 + 2);
    damaged(bytes);
  });

  it('PNG: a bad CRC on the eXIf chunk', () => {
    const bytes = photo('camera.png');
    bytes[find(bytes, 'eXIf') + 20]! ^= 0x01;
    damaged(bytes);
  });

  it('PNG: cut before IEND', () => {
    const bytes = photo('camera.png');
    damaged(bytes.slice(0, bytes.length - 20));
  });

  it('WebP: the RIFF size lies', () => {
    for (const delta of [+100, -2]) {
      const bytes = photo('camera.webp');
      new DataView(bytes.buffer).setUint32(4, bytes.length - 8 + delta, true);
      damaged(bytes);
    }
  });

  it('WebP: a chunk runs past the file', () => {
    const bytes = photo('camera.webp');
    new DataView(bytes.buffer).setUint32(find(bytes, 'EXIF') + 4, 0x7fffffff, true);
    damaged(bytes);
  });

  it('any cut or changed byte of the samples: never a throw; a damaged file comes back as it was', () => {
    const samples = SAMPLES.map((s) => photo(s.file));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: samples.length - 1 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.boolean(),
        fc.constantFrom('location' as const, 'all' as const),
        (which, at, value, cut, mode) => {
          const sample = samples[which]!;
          const i = at % sample.length;
          const bytes = cut ? sample.slice(0, i) : sample.slice();
          if (!cut) bytes[i] = value;
          const result = cleanPhoto(bytes, mode);
          if (result?.report.status === 'damaged') expect(result.bytes).toBe(bytes);
        },
      ),
      { numRuns: 400 },
    );
  });
});
