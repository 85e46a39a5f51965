import { AUTO_DELETE_DAYS_RANGE } from '../../s3/auto-delete';
import { MULTIPART_THRESHOLD_RANGE_MIB } from '../../settings/profile';
import { DEFAULT_PHOTO_PRIVACY, type PhotoPrivacy } from '../../privacy/report';
import { DEFAULT_IMAGE_QUALITY, IMAGE_MAX_SIZE_RANGE, IMAGE_QUALITY_RANGE, type ImageFormatChoice } from '../../images/settings';
import { t } from '../../i18n/t';
import type { GroupProps } from './field-kit';
import { LinkFields } from './link-fields';
import { NamingFields } from './naming-fields';

const PHOTO_PRIVACY_CHOICES: { value: PhotoPrivacy; label: string }[] = [
  { value: 'location', label: t('editor_photoPrivacyLocation') },
  { value: 'all', label: t('editor_photoPrivacyAll') },
  { value: 'keep', label: t('editor_photoPrivacyKeep') },
];

const IMAGE_FORMAT_CHOICES: { value: ImageFormatChoice; label: string }[] = [
  { value: 'keep', label: t('editor_imageFormatKeep') },
  { value: 'webp', label: t('editor_imageFormatWebp') },
  { value: 'jpeg', label: t('editor_imageFormatJpeg') },
  { value: 'avif', label: t('editor_imageFormatAvif') },
];

/** A number field's text as the profile holds it: empty is absent (the default), anything else a number for validation to judge. */
const optionalNumber = (text: string) => (text.trim() === '' ? undefined : Number(text));

/** The "Uploads" settings: how objects are named, what their links are, and when a file goes up in parts. */
export function UploadsFields(props: GroupProps) {
  const { state, dispatch, kit: { field, a11y } } = props;
  return (
    <fieldset>
      <legend>{t('editor_uploadsLegend')}</legend>
      <NamingFields {...props} />
      <LinkFields {...props} />
      {/* Both kinds: it is about the bytes, which S3 Drop holds whoever signs. */}
      {field(
        'photoPrivacy',
        t('field_photoPrivacy'),
        <select
          {...a11y('photoPrivacy', true)}
          value={state.uploads.photoPrivacy ?? DEFAULT_PHOTO_PRIVACY}
          onChange={(e) => dispatch({ type: 'set', field: 'photoPrivacy', value: e.currentTarget.value as PhotoPrivacy })}
        >
          {PHOTO_PRIVACY_CHOICES.map((c) => (
            <option value={c.value}>{c.label}</option>
          ))}
        </select>,
        t('editor_photoPrivacyHint'),
      )}
      {/* Both kinds too: pictures are resized or converted where their bytes are, before anything is signed. */}
      {field(
        'imageFormat',
        t('field_imageFormat'),
        <select
          {...a11y('imageFormat', true)}
          value={state.uploads.imageFormat ?? 'keep'}
          onChange={(e) => {
            const value = e.currentTarget.value as ImageFormatChoice;
            dispatch({ type: 'set', field: 'imageFormat', value: value === 'keep' ? undefined : value });
          }}
        >
          {IMAGE_FORMAT_CHOICES.map((c) => (
            <option value={c.value}>{c.label}</option>
          ))}
        </select>,
        t('editor_imageFormatHint'),
      )}
      {field(
        'imageMaxSize',
        t('field_imageMaxSize'),
        <input
          type="number"
          inputMode="numeric"
          min={IMAGE_MAX_SIZE_RANGE.min}
          max={IMAGE_MAX_SIZE_RANGE.max}
          placeholder={t('editor_imageMaxSizeNone')}
          {...a11y('imageMaxSize', true)}
          value={state.uploads.imageMaxSize === undefined ? '' : String(state.uploads.imageMaxSize)}
          onInput={(e) => dispatch({ type: 'set', field: 'imageMaxSize', value: optionalNumber(e.currentTarget.value) })}
        />,
        t('editor_imageMaxSizeHint'),
      )}
      {field(
        'imageQuality',
        t('field_imageQuality'),
        <input
          type="number"
          inputMode="numeric"
          min={IMAGE_QUALITY_RANGE.min}
          max={IMAGE_QUALITY_RANGE.max}
          {...a11y('imageQuality', true)}
          value={String(state.uploads.imageQuality ?? DEFAULT_IMAGE_QUALITY)}
          onInput={(e) => dispatch({ type: 'set', field: 'imageQuality', value: optionalNumber(e.currentTarget.value) })}
        />,
        t('editor_imageQualityHint'),
      )}
      {/* Both kinds: the editor works on the bytes before anything is signed. */}
      {field(
        'editCaptures',
        t('field_editCaptures'),
        <input
          type="checkbox"
          {...a11y('editCaptures', true)}
          checked={state.uploads.editCaptures === true}
          // Off is the field's absence, as for a profile saved before it existed.
          onChange={(e) => dispatch({ type: 'set', field: 'editCaptures', value: e.currentTarget.checked ? true : undefined })}
        />,
        t('editor_editCapturesHint'),
      )}
      {/* A presign service signs single PUTs only: no parts to size. */}
      {state.kind === 'keys' &&
        field(
          'multipartThresholdMiB',
          t('field_multipartThresholdMiB'),
          <input
            type="number"
            inputMode="numeric"
            min={MULTIPART_THRESHOLD_RANGE_MIB.min}
            max={MULTIPART_THRESHOLD_RANGE_MIB.max}
            {...a11y('multipartThresholdMiB', true)}
            value={String(state.keys.multipartThresholdMiB ?? MULTIPART_THRESHOLD_RANGE_MIB.default)}
            onInput={(e) => dispatch({ type: 'set', field: 'multipartThresholdMiB', value: Number(e.currentTarget.value) })}
          />,
          t('editor_thresholdHint'),
        )}
      {/* Tags and lifecycle rules are the bucket's; a presign service signs neither. */}
      {state.kind === 'keys' &&
        field(
          'autoDeleteDays',
          t('field_autoDeleteDays'),
          <input
            type="number"
            inputMode="numeric"
            min={AUTO_DELETE_DAYS_RANGE.min}
            max={AUTO_DELETE_DAYS_RANGE.max}
            placeholder={t('editor_autoDeleteNever')}
            {...a11y('autoDeleteDays', true)}
            value={state.keys.autoDeleteDays === undefined ? '' : String(state.keys.autoDeleteDays)}
            // Empty keeps files: the field is absent from the profile, not 0.
            onInput={(e) =>
              dispatch({ type: 'set', field: 'autoDeleteDays', value: e.currentTarget.value.trim() === '' ? undefined : Number(e.currentTarget.value) })
            }
          />,
          t('editor_autoDeleteHint'),
        )}
    </fieldset>
  );
}
