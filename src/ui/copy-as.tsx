import { useEffect, useRef, useState } from 'preact/hooks';
import { LINK_FORMATS, linkFormatLabel, type LinkFormat } from '../links/link-format';
import { t } from '../i18n/t';

/**
 * "Copy as…": the link in another form than the profile's (Markdown, HTML,
 * BBCode, the plain link, the user's own text). A disclosure of named buttons,
 * so keyboard and screen-reader users reach each form by its name.
 */
export function CopyAsMenu({ name, hasTemplate, disabled, onCopy }: { name: string; hasTemplate: boolean; disabled?: boolean; onCopy(format: LinkFormat): void }) {
  const formats = LINK_FORMATS.filter((f) => f !== 'custom' || hasTemplate);
  return (
    <details class="copy-as">
      <summary aria-label={t('common_copyAsFor', { name })}>{t('common_copyAs')}</summary>
      <div class="copy-as-choices">
        {formats.map((format) => (
          <button
            type="button"
            disabled={disabled}
            aria-label={t('common_copyAsFormatFor', { name, format: linkFormatLabel(format) })}
            onClick={() => onCopy(format)}
          >
            {linkFormatLabel(format)}
          </button>
        ))}
      </div>
    </details>
  );
}

/**
 * The link as a QR code, to open it on a phone. Drawn on a canvas by lean-qr
 * (no network), loaded only when asked for so the popup's first paint stays small.
 */
export function QrCode({ url, name }: { url: string; name: string }) {
  const [open, setOpen] = useState(false);
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!open) return;
    let current = true;
    void import('lean-qr/nano').then(({ generate, correction }) => {
      // Medium error correction: still readable from a screen with glare, and a long signed link stays a small code.
      if (current && canvas.current) generate(url, { minCorrectionLevel: correction.M }).toCanvas(canvas.current);
    });
    return () => {
      current = false;
    };
  }, [open, url]);
  // The code goes on a line of its own below the buttons (`.qr-box` takes the row's whole width).
  return (
    <>
      <button type="button" aria-expanded={open ? 'true' : 'false'} aria-label={t('popup_qrFor', { name })} onClick={() => setOpen(!open)}>
        {t('popup_qr')}
      </button>
      {open && (
        <div class="qr-box">
          <canvas ref={canvas} class="qr-code" role="img" aria-label={t('popup_qrImageFor', { name })} />
        </div>
      )}
    </>
  );
}
