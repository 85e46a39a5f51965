/**
 * A profile's image settings: whether pictures are made smaller or turned
 * into another format before they go up. Pure types and checks, shared by the
 * profile, its editor and the background's answer to `fileTreatment`.
 */

/** What pictures become: `keep` leaves the format as it is (and resizes in it, when a maximum size is set). */
export type ImageFormatChoice = 'keep' | 'webp' | 'jpeg' | 'avif';
export const IMAGE_FORMAT_CHOICES: readonly ImageFormatChoice[] = ['keep', 'webp', 'jpeg', 'avif'];

/** The encoder's quality (1–100) when the profile names none: small files that still look like the photo. */
export const DEFAULT_IMAGE_QUALITY = 85;
export const IMAGE_QUALITY_RANGE = { min: 1, max: 100 } as const;
/**
 * The long side, in pixels, a profile may ask pictures to be cut to. Below 16
 * a picture is an icon; above 16 384 no browser's canvas draws it.
 */
export const IMAGE_MAX_SIZE_RANGE = { min: 16, max: 16_384 } as const;

/** What the upload does to a picture, as the background reads it from the profile. Absent (on `FileTreatment`): nothing. */
export interface ImageSettings {
  format: ImageFormatChoice;
  /** Pixels on the long side; absent: any size. */
  maxSize?: number;
  quality: number;
}

/** The stored fields of a profile that say it (both kinds have them). */
export interface ImageFields {
  imageFormat?: ImageFormatChoice;
  imageMaxSize?: number;
  imageQuality?: number;
}

/** The profile's settings for the stage, or `undefined` when it leaves pictures alone (the default). */
export function imageSettingsOf(profile: ImageFields): ImageSettings | undefined {
  const format = profile.imageFormat ?? 'keep';
  if (format === 'keep' && !profile.imageMaxSize) return undefined;
  return {
    format,
    ...(profile.imageMaxSize ? { maxSize: profile.imageMaxSize } : {}),
    quality: profile.imageQuality ?? DEFAULT_IMAGE_QUALITY,
  };
}

/** Which of the fields is out of range, or none. The sentences are the caller's (settings owns the words for fields). */
export function imageFieldProblems(fields: ImageFields): { imageFormat?: true; imageMaxSize?: true; imageQuality?: true } {
  const problems: { imageFormat?: true; imageMaxSize?: true; imageQuality?: true } = {};
  if (fields.imageFormat !== undefined && !IMAGE_FORMAT_CHOICES.includes(fields.imageFormat)) problems.imageFormat = true;
  const inRange = (n: number, r: { min: number; max: number }) => Number.isInteger(n) && n >= r.min && n <= r.max;
  if (fields.imageMaxSize !== undefined && !inRange(fields.imageMaxSize, IMAGE_MAX_SIZE_RANGE)) problems.imageMaxSize = true;
  if (fields.imageQuality !== undefined && !inRange(fields.imageQuality, IMAGE_QUALITY_RANGE)) problems.imageQuality = true;
  return problems;
}

/** `{ images }` when the profile resizes or converts pictures, else nothing: spread into a destination. */
export function imagesOf(profile: ImageFields): { images?: ImageSettings } {
  const images = imageSettingsOf(profile);
  return images ? { images } : {};
}
