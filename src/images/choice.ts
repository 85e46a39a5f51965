/**
 * A picture choice made for one upload, in the popup, over the profile's
 * image settings: its shape, its check and how it replaces the profile's.
 * Apart from settings.ts, which the popup's first screen loads through the
 * profile: this is for the popup's image options (loaded when opened) and the
 * background.
 */
import { t } from '../i18n/t';
import {
  DEFAULT_IMAGE_QUALITY,
  IMAGE_MAX_SIZE_RANGE,
  IMAGE_QUALITY_RANGE,
  imageFieldProblems,
  imageSettingsOf,
  type ImageFields,
  type ImageFormatChoice,
  type ImageSettings,
} from './settings';

type ImageProblems = ReturnType<typeof imageFieldProblems>;

/**
 * What the user chose in the popup for the files added next, over the
 * profile's settings. Whole, as the popup shows it (started from the
 * profile's values): a `maxSize` left out means any size, not the profile's.
 * It crosses from a page to the background, so it is checked there like a
 * profile's fields before it is used.
 */
export interface ImageChoice {
  format: ImageFormatChoice;
  maxSize?: number;
  quality: number;
}

/** The choice a profile's settings amount to, for the popup to start from. */
export function imageChoiceOf(profile: ImageFields): ImageChoice {
  return {
    format: profile.imageFormat ?? 'keep',
    ...(profile.imageMaxSize ? { maxSize: profile.imageMaxSize } : {}),
    quality: profile.imageQuality ?? DEFAULT_IMAGE_QUALITY,
  };
}

/** A choice as profile fields, so one check judges both (the sentences are the caller's). */
export function imageChoiceProblems(choice: ImageChoice): ImageProblems {
  const fields: ImageFields = {
    imageFormat: choice.format,
    imageQuality: choice.quality,
    ...(choice.maxSize !== undefined ? { imageMaxSize: choice.maxSize } : {}),
  };
  const problems = imageFieldProblems(fields);
  // Required here, unlike a profile's (which default): a choice always says all of it.
  if (typeof choice.format !== 'string') problems.imageFormat = true;
  if (typeof choice.quality !== 'number') problems.imageQuality = true;
  return problems;
}

/**
 * The settings a file's pictures get: the upload's own choice when there is
 * one (it replaces the profile's whole: the popup showed the profile's
 * values and the user changed what they wanted), else the profile's.
 * `problems` when the choice is out of range: the upload should fail rather
 * than silently do something else than asked.
 */
export function chooseImages(
  profile: ImageSettings | undefined,
  choice: ImageChoice | undefined,
): { ok: true; images: ImageSettings | undefined } | { ok: false; problems: ImageProblems } {
  if (choice === undefined) return { ok: true, images: profile };
  if (typeof choice !== 'object' || choice === null) return { ok: false, problems: { imageFormat: true } };
  const problems = imageChoiceProblems(choice);
  if (Object.keys(problems).length) return { ok: false, problems };
  return { ok: true, images: imageSettingsOf({ imageFormat: choice.format, imageQuality: choice.quality, ...(choice.maxSize ? { imageMaxSize: choice.maxSize } : {}) }) };
}

/** The sentence for each field of a choice out of range: the same as the profile editor's for its fields. */
export function imageChoiceErrors(problems: ImageProblems): { imageFormat?: string; imageMaxSize?: string; imageQuality?: string } {
  return {
    ...(problems.imageFormat ? { imageFormat: t('profile_imageFormatChoose') } : {}),
    ...(problems.imageMaxSize ? { imageMaxSize: t('profile_imageMaxSizeRange', IMAGE_MAX_SIZE_RANGE) } : {}),
    ...(problems.imageQuality ? { imageQuality: t('profile_imageQualityRange', IMAGE_QUALITY_RANGE) } : {}),
  };
}
