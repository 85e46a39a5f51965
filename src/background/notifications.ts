import { browser } from 'wxt/browser';
import { t } from '../i18n/t';
import { notificationLinksItem } from '../history/items';

const PREFIX = 's3drop-';

/** Notifications for uploads that no page is showing: context menu and screenshots. */
export const notifier = {
  async success(delivered: { link: string; copied: boolean }, detail: string): Promise<void> {
    const id = `${PREFIX}${crypto.randomUUID()}`;
    await notificationLinksItem.setValue({ ...(await notificationLinksItem.getValue()), [id]: delivered.link });
    await browser.notifications.create(id, {
      type: 'basic',
      iconUrl: browser.runtime.getURL('/icon/128.png'),
      title: delivered.copied ? t('notify_linkCopied') : t('notify_uploadedNotCopied'),
      message: detail,
    });
  },
  async failure(title: string, message: string): Promise<void> {
    await browser.notifications.create(`${PREFIX}error-${Date.now()}`, {
      type: 'basic',
      iconUrl: browser.runtime.getURL('/icon/128.png'),
      title,
      message,
    });
  },
};

/** Clicking a "Link copied" notification opens the link. */
export async function openNotificationLink(notificationId: string): Promise<void> {
  const links = await notificationLinksItem.getValue();
  const url = links[notificationId];
  if (!url) return;
  await browser.tabs.create({ url });
  await browser.notifications.clear(notificationId);
  const { [notificationId]: _opened, ...rest } = links;
  await notificationLinksItem.setValue(rest);
}
