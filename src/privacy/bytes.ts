/** Small byte helpers the rewriters share. */

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Whether `bytes` holds `ascii` at `at`. */
export function startsWith(bytes: Uint8Array, at: number, ascii: string): boolean {
  if (at + ascii.length > bytes.length) return false;
  for (let i = 0; i < ascii.length; i++) if (bytes[at + i] !== ascii.charCodeAt(i)) return false;
  return true;
}

const latin1 = new TextDecoder('latin1');

/**
 * Whether an XMP packet (or any text block) names a GPS position: XMP writes
 * EXIF's GPS tags as `exif:GPSLatitude` and friends, whatever the prefix.
 */
export function mentionsGps(bytes: Uint8Array): boolean {
  return /GPS(Latitude|Longitude|Altitude|Position|Coordinates)|LocationCreated|LocationShown/i.test(latin1.decode(bytes));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
