import { useEffect, useState } from 'preact/hooks';
import { IMAGE_MAX_SIZE_RANGE, IMAGE_QUALITY_RANGE, type ImageFields, type ImageFormatChoice } from '../images/settings';
import { imageChoiceErrors, imageChoiceOf, imageChoiceProblems, type ImageChoice } from '../images/choice';
import { t } from '../i18n/t';

/** Whether this browser's canvas writes AVIF (none did when this was written; Chrome and Firefox fall back to PNG). */
function canMakeAvif(): boolean {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  return canvas.toDataURL('image/avif').startsWith('data:image/avif');
}

/** A number field's text: empty is absent, anything else a number for the check to judge (`12.5`, `abc` → out of range). */
const optionalNumber = (text: string) => (text.trim() === '' ? undefined : Number(text));

/**
 * The popup's "Image options": how the pictures added next from this popup
 * are converted and sized, starting from the profile's settings. A module of
 * its own, drawn just after the popup's first screen (whose load has a
 * budget); its fields are drawn when it is first opened. Every change is
 * handed up as it is, in range or not: a choice out of range is said here,
 * and the background refuses it too rather than do something else than asked.
 *
 * Drawn anew for each profile: it starts from that profile's settings, and
 * until something is changed the files follow the profile (`undefined`).
 */
export function ImageOptions({ profile, onChoice }: { profile: ImageFields; onChoice(choice: ImageChoice | undefined): void }) {
  const [opened, setOpened] = useState(false);
  // The choice made for the profile before: it does not follow the user to another one.
  useEffect(() => onChoice(undefined), []);
  return (
    <details onToggle={(e) => e.currentTarget.open && setOpened(true)}>
      <summary>{t('popup_imageOptions')}</summary>
      {opened && <ChoiceFields profile={profile} onChoice={onChoice} />}
    </details>
  );
}

function ChoiceFields({ profile, onChoice }: { profile: ImageFields; onChoice(choice: ImageChoice): void }) {
  const [current, setCurrent] = useState<ImageChoice>(() => imageChoiceOf(profile));
  const [avif] = useState(canMakeAvif);
  const errors = imageChoiceErrors(imageChoiceProblems(current));
  const change = (patch: Partial<ImageChoice>) => {
    const next = { ...current, ...patch };
    // An emptied size field means any size: the key goes, rather than stay as `undefined`.
    if (next.maxSize === undefined) delete next.maxSize;
    setCurrent(next);
    onChoice(next);
  };
  const formats: { value: ImageFormatChoice; label: string }[] = [
    { value: 'keep', label: t('editor_imageFormatKeep') },
    { value: 'webp', label: t('editor_imageFormatWebp') },
    // Offered where the canvas can make it (or when the profile already asks for it: the stage then says it could not).
    ...(avif || current.format === 'avif' ? [{ value: 'avif' as const, label: t('editor_imageFormatAvif') }] : []),
    { value: 'jpeg', label: t('editor_imageFormatJpeg') },
  ];
  const error = (field: keyof typeof errors) =>
    errors[field] && (
      <p class="error" id={`popup-${field}-error`} role="alert">
        {errors[field]}
      </p>
    );
  const described = (field: keyof typeof errors) => (errors[field] ? { 'aria-invalid': true, 'aria-describedby': `popup-${field}-error` } : {});
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: '0.5rem', marginTop: '0.5rem' }}>
      <p class="muted hint" style={{ margin: 0 }}>
        {t('popup_imageOptionsHint')}
      </p>
      <div class="field">
        <label for="popup-image-format">{t('field_imageFormat')}</label>
        <select id="popup-image-format" value={current.format} onChange={(e) => change({ format: e.currentTarget.value as ImageFormatChoice })}>
          {formats.map((f) => (
            <option value={f.value}>{f.label}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="popup-image-max-size">{t('field_imageMaxSize')}</label>
        <input
          id="popup-image-max-size"
          type="number"
          inputMode="numeric"
          min={IMAGE_MAX_SIZE_RANGE.min}
          max={IMAGE_MAX_SIZE_RANGE.max}
          placeholder={t('editor_imageMaxSizeNone')}
          value={current.maxSize === undefined ? '' : String(current.maxSize)}
          {...described('imageMaxSize')}
          onInput={(e) => change({ maxSize: optionalNumber(e.currentTarget.value) })}
        />
        {error('imageMaxSize')}
      </div>
      <div class="field">
        <label for="popup-image-quality">{t('field_imageQuality')}</label>
        <input
          id="popup-image-quality"
          type="number"
          inputMode="numeric"
          min={IMAGE_QUALITY_RANGE.min}
          max={IMAGE_QUALITY_RANGE.max}
          value={Number.isNaN(current.quality) ? '' : String(current.quality)}
          {...described('imageQuality')}
          onInput={(e) => change({ quality: optionalNumber(e.currentTarget.value) ?? Number.NaN })}
        />
        {error('imageQuality')}
      </div>
    </div>
  );
}
