/**
 * The pixels: decode with `createImageBitmap`, draw and encode with an
 * `OffscreenCanvas`. Both exist in documents, Chrome's service worker and
 * Firefox's background page, and decode off the page's main thread. No
 * extension API. The decisions around it are in `decide.ts`.
 */

/** A decoded picture, upright. */
export interface DecodedPicture {
  width: number;
  height: number;
  close(): void;
}

/** Decodes and encodes pictures; the stage takes one, so its decisions are tested in Node with a stand-in. */
export interface PictureCodec {
  /** Throws when the browser cannot read the bytes. */
  decode(body: Blob): Promise<DecodedPicture>;
  /** The picture drawn at `width` × `height` and written as `type`; the blob's own type says what the browser actually wrote. */
  encode(picture: DecodedPicture, size: { width: number; height: number }, type: string, quality: number): Promise<Blob>;
}

export function canvasCodec(): PictureCodec {
  return {
    async decode(body) {
      // EXIF's Orientation is applied to the pixels: the new file has no EXIF left to say which way is up.
      return createImageBitmap(body, { imageOrientation: 'from-image' });
    },
    async encode(picture, { width, height }, type, quality) {
      const canvas = new OffscreenCanvas(width, height);
      const g = canvas.getContext('2d');
      if (!g) throw new Error('No 2D canvas');
      // JPEG has no transparency: transparent pixels would come out black, so they are laid on white as viewers show them.
      if (type === 'image/jpeg') {
        g.fillStyle = '#fff';
        g.fillRect(0, 0, width, height);
      }
      g.imageSmoothingEnabled = true;
      g.imageSmoothingQuality = 'high';
      g.drawImage(picture as ImageBitmap, 0, 0, width, height);
      return canvas.convertToBlob({ type, quality: quality / 100 });
    },
  };
}
