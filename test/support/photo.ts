/**
 * A camera's EXIF block, as phones and cameras write it: an APP1 segment
 * (`Exif\0\0` + a little-endian TIFF header + IFD0 with Make, Model,
 * Orientation and DateTime), inserted right after a JPEG's SOI marker, where
 * the EXIF standard puts it. The JPEG itself comes from a real encoder (the
 * browser's, in the test), so the result is a file any viewer opens.
 */

interface Entry {
  tag: number;
  /** 2 ASCII, 3 SHORT */
  type: 2 | 3;
  value: string | number;
}

function ifd0(entries: Entry[]): Buffer {
  const headerSize = 8;
  const ifdSize = 2 + entries.length * 12 + 4;
  const data: Buffer[] = [];
  let dataOffset = headerSize + ifdSize;
  const ifd = Buffer.alloc(ifdSize);
  ifd.writeUInt16LE(entries.length, 0);
  entries.forEach((entry, i) => {
    const at = 2 + i * 12;
    ifd.writeUInt16LE(entry.tag, at);
    ifd.writeUInt16LE(entry.type, at + 2);
    if (entry.type === 3) {
      ifd.writeUInt32LE(1, at + 4);
      ifd.writeUInt16LE(entry.value as number, at + 8);
      return;
    }
    const text = Buffer.from(`${entry.value}\0`, 'latin1');
    ifd.writeUInt32LE(text.length, at + 4);
    if (text.length <= 4) text.copy(ifd, at + 8);
    else {
      ifd.writeUInt32LE(dataOffset, at + 8);
      data.push(text);
      dataOffset += text.length;
    }
  });
  // Next IFD offset: 0, none (no thumbnail).
  ifd.writeUInt32LE(0, ifdSize - 4);
  const header = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]);
  return Buffer.concat([header, ifd, ...data]);
}

/** The APP1 segment, marker included. */
export function exifSegment(camera: { make: string; model: string; dateTime: string }): Buffer {
  const tiff = ifd0([
    { tag: 0x010f, type: 2, value: camera.make },
    { tag: 0x0110, type: 2, value: camera.model },
    { tag: 0x0112, type: 3, value: 1 },
    { tag: 0x0132, type: 2, value: camera.dateTime },
  ]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xffe1, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/** A JPEG with the EXIF segment after its SOI marker. */
export function withExif(jpeg: Buffer, camera: Parameters<typeof exifSegment>[0]): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG: no SOI marker');
  return Buffer.concat([jpeg.subarray(0, 2), exifSegment(camera), jpeg.subarray(2)]);
}
