/**
 * The privacy stage's report in a user's words, for the popup's row and the
 * right-click notification. Apart from the rewriters, so the popup loads only this.
 */
import { t } from '../i18n/t';
import type { PrivacyReport } from './report';

/** The line a file's row shows, or `null` when there is nothing worth saying (nothing was there to remove). */
export function privacyNote(report: PrivacyReport | undefined): string | null {
  if (!report) return null;
  switch (report.status) {
    case 'removed':
      return report.mode === 'all' ? t('privacy_allRemoved') : t('privacy_locationRemoved');
    case 'none-found':
      return null;
    case 'cannot':
      return t('privacy_cannot', { format: report.format.toUpperCase() });
    case 'damaged':
      return t('privacy_damaged');
  }
}
