/**
 * The image stage's report in a user's words, for the popup's row. Apart
 * from the decisions, so the popup loads only this and the catalog.
 */
import { t } from '../i18n/t';
import type { ImageReport, OutputFormat } from './decide';

const FORMAT_NAMES: Record<OutputFormat, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', avif: 'AVIF' };

/** The line a file's row shows, or `null` when the stage had nothing to do with it. */
export function imageNote(report: ImageReport | undefined): string | null {
  if (!report) return null;
  if (report.status === 'converted') {
    const size = { width: report.width, height: report.height };
    const what = report.changedFormat ? t('image_converted', { format: FORMAT_NAMES[report.format], ...size }) : t('image_resized', size);
    // A canvas writes pixels only: whatever the photo carried is gone, and the user should not have to guess.
    return `${what}; ${t('image_noDetails')}`;
  }
  switch (report.reason) {
    case 'animated':
      return t('image_keptAnimated');
    case 'larger':
      return t('image_keptLarger');
    case 'cannot-make':
      return t('image_keptCannotMake', { format: FORMAT_NAMES[report.format] });
    case 'unreadable':
      return t('image_keptUnreadable');
    case 'too-large':
      return t('image_keptTooLarge');
  }
}
