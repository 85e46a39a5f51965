/**
 * The image stage's decisions, in plain Node: which files it reads (by their
 * bytes, on pictures Pillow made), what they become, at what size and under
 * which name, and when the original is kept instead.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gifFrames, judgeEncoded, outputFormat, pictureKind, planPicture, renamed, sniffFormat, targetSize } from '../../src/images/decide';
import { imageFieldProblems, imageSettingsOf } from '../../src/images/settings';
import { imageNote } from '../../src/images/words';

const picture = (name: string) => new Uint8Array(readFileSync(resolve(import.meta.dirname, '../fixtures/pictures', name)));
const photo = (name: string) => new Uint8Array(readFileSync(resolve(import.meta.dirname, '../fixtures/photos', name)));
const text = (s: string) => new TextEncoder().encode(s);

describe('which files are pictures the stage reads', () => {
  it.each([
    ['still.jpg', { format: 'jpeg', animated: false }],
    ['still.png', { format: 'png', animated: false }],
    ['still.webp', { format: 'webp', animated: false }],
    ['still.gif', { format: 'gif', animated: false }],
    ['still.bmp', { format: 'bmp', animated: false }],
    ['animated.gif', { format: 'gif', animated: true }],
    ['animated.webp', { format: 'webp', animated: true }],
    ['animated.png', { format: 'png', animated: true }],
  ])('%s is %o', (name, kind) => {
    expect(pictureKind(picture(name))).toEqual(kind);
  });

  it('photos with EXIF and colour profiles are still pictures', () => {
    expect(pictureKind(photo('camera.jpg'))).toEqual({ format: 'jpeg', animated: false });
    expect(pictureKind(photo('camera.webp'))).toEqual({ format: 'webp', animated: false });
    expect(pictureKind(photo('camera.png'))).toEqual({ format: 'png', animated: false });
  });

  it('an animated GIF has three frames, a still one one', () => {
    expect(gifFrames(picture('animated.gif'))).toBe(3);
    expect(gifFrames(picture('still.gif'))).toBe(1);
    // Cut inside its screen descriptor: nothing to count.
    expect(gifFrames(picture('animated.gif').subarray(0, 10))).toBeNull();
  });

  it('SVG, HTML, HEIC, text that starts with BM, and an AVIF sequence are not converted', () => {
    expect(sniffFormat(text('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffFormat(text('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toBeNull();
    expect(sniffFormat(text('BM is not a bitmap, it is a sentence.'))).toBeNull();
    const heic = new Uint8Array([0, 0, 0, 24, ...text('ftypheic'), 0, 0, 0, 0]);
    expect(sniffFormat(heic)).toBeNull();
    const avis = new Uint8Array([0, 0, 0, 24, ...text('ftypavis'), 0, 0, 0, 0]);
    expect(pictureKind(avis)).toEqual({ format: 'avif', animated: true });
    const avif = new Uint8Array([0, 0, 0, 24, ...text('ftypavif'), 0, 0, 0, 0]);
    expect(pictureKind(avif)).toEqual({ format: 'avif', animated: false });
  });
});

describe('what a picture becomes', () => {
  const webp = { format: 'webp', quality: 85 } as const;

  it('animated pictures are kept and the row says so; the same format without a maximum size is left alone silently', () => {
    expect(planPicture({ format: 'gif', animated: true }, webp)).toEqual({ action: 'skip', report: { status: 'kept', reason: 'animated' } });
    expect(planPicture({ format: 'webp', animated: false }, webp)).toEqual({ action: 'skip' });
    expect(planPicture({ format: 'webp', animated: false }, { ...webp, maxSize: 1024 })).toEqual({ action: 'decode', format: 'webp' });
    expect(planPicture({ format: 'jpeg', animated: false }, webp)).toEqual({ action: 'decode', format: 'webp' });
  });

  it('keep: the picture’s own format, PNG for those a canvas cannot write', () => {
    expect(outputFormat('jpeg', 'keep')).toBe('jpeg');
    expect(outputFormat('webp', 'keep')).toBe('webp');
    expect(outputFormat('gif', 'keep')).toBe('png');
    expect(outputFormat('bmp', 'keep')).toBe('png');
    expect(outputFormat('png', 'jpeg')).toBe('jpeg');
  });

  it('the long side goes to the maximum, the shape stays, nothing is enlarged', () => {
    expect(targetSize(2400, 1600, 1024)).toEqual({ width: 1024, height: 683, resized: true });
    expect(targetSize(1600, 2400, 1024)).toEqual({ width: 683, height: 1024, resized: true });
    expect(targetSize(3000, 3000, 1000)).toEqual({ width: 1000, height: 1000, resized: true });
    expect(targetSize(800, 600, 1024)).toEqual({ width: 800, height: 600, resized: false });
    expect(targetSize(1024, 10, 1024)).toEqual({ width: 1024, height: 10, resized: false });
    expect(targetSize(4000, 3, 100)).toEqual({ width: 100, height: 1, resized: true });
    expect(targetSize(2400, 1600)).toEqual({ width: 2400, height: 1600, resized: false });
  });

  it('the name takes the new ending and keeps its other dots', () => {
    expect(renamed('photo.jpg', 'webp')).toBe('photo.webp');
    expect(renamed('IMG_0001.JPEG', 'webp')).toBe('IMG_0001.webp');
    expect(renamed('my.trip.2026.png', 'jpeg')).toBe('my.trip.2026.jpg');
    expect(renamed('scan.v2', 'avif')).toBe('scan.v2.avif');
    expect(renamed('image', 'webp')).toBe('image.webp');
    expect(renamed('.png', 'webp')).toBe('image.webp');
  });

  it('keeps the original when the browser wrote another type, or when a re-encode without resizing is larger', () => {
    const base = { asked: 'webp' as const, gotType: 'image/webp', originalBytes: 1000, newBytes: 900, resized: false };
    expect(judgeEncoded(base)).toEqual({ use: true });
    expect(judgeEncoded({ ...base, asked: 'avif', gotType: 'image/png' })).toEqual({ use: false, report: { status: 'kept', reason: 'cannot-make', format: 'avif' } });
    expect(judgeEncoded({ ...base, newBytes: 1200 })).toEqual({ use: false, report: { status: 'kept', reason: 'larger' } });
    // Asked to be smaller on screen: the user gets the size they asked for, even in more bytes.
    expect(judgeEncoded({ ...base, newBytes: 1200, resized: true })).toEqual({ use: true });
  });
});

describe('the settings and the row', () => {
  it('off unless a format or a maximum size is set; quality 85 unless said', () => {
    expect(imageSettingsOf({})).toBeUndefined();
    expect(imageSettingsOf({ imageFormat: 'keep', imageQuality: 50 })).toBeUndefined();
    expect(imageSettingsOf({ imageFormat: 'webp', imageMaxSize: 1024 })).toEqual({ format: 'webp', maxSize: 1024, quality: 85 });
    expect(imageSettingsOf({ imageMaxSize: 2048, imageQuality: 70 })).toEqual({ format: 'keep', maxSize: 2048, quality: 70 });
  });

  it('refuses what no encoder takes', () => {
    expect(imageFieldProblems({ imageFormat: 'webp', imageMaxSize: 1024, imageQuality: 85 })).toEqual({});
    expect(imageFieldProblems({ imageFormat: 'heic' as never, imageMaxSize: 0, imageQuality: 101 })).toEqual({ imageFormat: true, imageMaxSize: true, imageQuality: true });
    expect(imageFieldProblems({ imageMaxSize: 1024.5, imageQuality: Number.NaN })).toEqual({ imageMaxSize: true, imageQuality: true });
  });

  it('the row says what happened in plain words', () => {
    expect(imageNote({ status: 'converted', format: 'webp', width: 1024, height: 683, resized: true, changedFormat: true })).toBe(
      'Converted to WebP, 1024 × 683; no location or other photo details kept',
    );
    expect(imageNote({ status: 'converted', format: 'jpeg', width: 683, height: 1024, resized: true, changedFormat: false })).toBe(
      'Made smaller: 683 × 1024; no location or other photo details kept',
    );
    expect(imageNote({ status: 'kept', reason: 'cannot-make', format: 'avif' })).toBe('Kept as is: this browser cannot make AVIF files');
    expect(imageNote({ status: 'kept', reason: 'animated' })).toBe('Kept as is: animated pictures are not converted');
    expect(imageNote(undefined)).toBeNull();
  });
});
