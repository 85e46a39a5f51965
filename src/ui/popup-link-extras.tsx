import { useState } from 'preact/hooks';
import { formatLink, linkFormatLabel, linkTextOf, type LinkFormat } from '../links/link-format';
import type { ProfileSummary } from '../messaging/protocol';
import type { UploadItem } from '../upload/queue';
import { copyText } from './clipboard';
import { t } from '../i18n/t';
import { CopyAsMenu, QrCode } from './copy-as';

/**
 * Under a finished upload's link: Copy as… and the QR code. Loaded by the
 * popup only once an upload is done, so its first paint stays within budget.
 */
export function PopupLinkExtras({ item, link, profile }: { item: UploadItem; link: string; profile: ProfileSummary | undefined }) {
  /** The form Copy as… put on the clipboard last, for the sentence under the buttons. */
  const [copiedAs, setCopiedAs] = useState<LinkFormat | null>(null);
  const copyAs = async (format: LinkFormat) => {
    const text = formatLink({ ...linkTextOf(profile?.profile ?? {}), format }, { url: link, name: item.name, type: item.type, key: item.key ?? '' });
    setCopiedAs((await copyText(text)) ? format : null);
  };
  return (
    <>
      {/* Here, loaded once an upload is done, rather than in the row: the popup's first paint stays within budget. */}
      {item.verified && (
        <p class="muted verified" title={t('upload_verifiedTitle')}>
          ✓ {t('upload_verified')}
        </p>
      )}
      <div class="link-extras">
        <CopyAsMenu name={item.name} hasTemplate={Boolean(profile?.profile.linkTemplate)} onCopy={(format) => void copyAs(format)} />
        <QrCode url={link} name={item.name} />
      </div>
      {copiedAs && (
        <p class="muted" role="status">
          {t('common_copiedAs', { name: item.name, format: linkFormatLabel(copiedAs) })}
        </p>
      )}
    </>
  );
}
