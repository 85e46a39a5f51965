/**
 * What the privacy stage did to one file. Pure types: the popup's row and the
 * right-click notification turn them into sentences (src/i18n/en.ts).
 */

/**
 * A profile's choice for photos' metadata:
 * - `location`: GPS coordinates go, everything else stays byte for byte (the default);
 * - `all`: EXIF, XMP, IPTC and comments go too; the orientation and the colour profile stay;
 * - `keep`: the file goes up as it is.
 */
export type PhotoPrivacy = 'location' | 'all' | 'keep';
export const PHOTO_PRIVACY_CHOICES: readonly PhotoPrivacy[] = ['location', 'all', 'keep'];
/** What a profile without the field does: location is personal, so it is removed unless the user says otherwise. */
export const DEFAULT_PHOTO_PRIVACY: PhotoPrivacy = 'location';

/** A picture format the stage knows by its bytes. */
export type PhotoFormat = 'jpeg' | 'png' | 'webp' | 'heic' | 'avif' | 'tiff';

export type PrivacyReport =
  /** Something was taken out: with `all`, every kind of metadata; else the location. */
  | { status: 'removed'; mode: 'location' | 'all'; format: PhotoFormat }
  /** The photo carried nothing to remove: it goes up unchanged. */
  | { status: 'none-found'; mode: 'location' | 'all'; format: PhotoFormat }
  /** A photo format this stage cannot rewrite without re-encoding (HEIC, AVIF, TIFF): unchanged. */
  | { status: 'cannot'; format: PhotoFormat }
  /** Its structure did not add up (a cut segment, an offset past the end, a bad checksum): unchanged, rather than risk the picture. */
  | { status: 'damaged'; format: PhotoFormat };

/** The rewriters' refusal: the bytes are not what their headers say. Never leaves `src/privacy/`. */
export class DamagedFile extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'DamagedFile';
  }
}
