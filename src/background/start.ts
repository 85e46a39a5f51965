import { browser, type Browser } from 'wxt/browser';
import { decodeDataUrl, ImageError } from '../capture/image-source';
import { backgroundCopier } from '../clipboard/background-clipboard';
import { profilesItem, secretsItem, securityItem, vaultSessionItem } from '../settings/items';
import { createSecretKeeper } from '../secrets/keeper';
import { fetchTransport } from '../upload/fetch-transport';
import { fileStages } from '../upload/file-stages';
import { canvasCodec } from '../images/canvas';
import { createMenuClickListener, menuItems } from './menus';
import { notifier, openNotificationLink } from './notifications';
import { fetchImageFromNetwork, readImageInPage } from './page-image';
import { ownStorageHosts } from '../capture/own-storage';
import { registerHandlers } from './register';
import { saveBytes, saveImage, type ImageClick, type SaveDeps } from '../capture/save-from-page';
import { capturePacer } from '../capture/full-page-plan';
import { CaptureError, type CaptureFullPage } from '../capture/full-page';
import { chromeFullPage } from '../capture/full-page-chrome';
import { firefoxFullPage } from '../capture/full-page-firefox';
import { regionCapture, type CaptureRegion } from '../capture/region';
import { chromeRegion } from '../capture/region-chrome';
import { firefoxRegion } from '../capture/region-firefox';
import { createService, type ServiceDeps } from './service';
import { createUploadHandlers } from './upload-service';
import { createHistoryHandlers } from './history-service';
import { storedHistory, storedUploadRecorder } from './history-storage';
import { s3ClientPool } from '../destination/connection';
import { openDestination } from '../destination/open';
import { alarmIdleLockScheduler, registerIdleLock } from './idle-lock';
import { KEEP_AFTER_COPY_MINUTES, offscreenApi, offscreenDocument } from './offscreen';
import { offscreenMessaging } from '../messaging/protocol';
import { isOwnExtensionPage } from '../messaging/sender';
import { hostUploadRunner } from '../upload/runner-host';
import { UPLOAD_VIEW_PORT } from '../upload/runner-channel';
import { copyWithTextarea } from '../clipboard/copy-in-document';
import { t } from '../i18n/t';
import { exposeListenersForTests } from './test-hooks';
import { startSummaryPublisher } from './publish-summary';
import { bucketChecksItem } from '../bucket-check/items';
import { heldCaptures } from '../editor/held-captures';
import { createBucketCheckHandlers, storedBucketCheck, type BucketCheckStore } from './bucket-check-service';
import { sweepJournal } from './journal-sweep';
import { idbJournal } from '../upload/journal-store';
import { addEntry } from '../history/history';

export const COMMAND_SAVE_SCREENSHOT = 'save-screenshot';
export const COMMAND_SAVE_FULL_PAGE = 'save-full-page';
export const COMMAND_SAVE_REGION = 'save-region';
/** Closes the offscreen document a while after a copy from the background, if nothing else needs it then. */
const CLOSE_OFFSCREEN_ALARM = 'close-offscreen';

function screenshotName(tab: Browser.tabs.Tab, now: Date, kind = 'screenshot'): string {
  let host = 'page';
  try {
    host = new URL(tab.url ?? '').hostname || 'page';
  } catch {
    /* keep "page" */
  }
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..+/, '').replace('T', '-');
  return `${kind}-${host}-${stamp}.png`;
}

/** Wires every background event to its module. Called once per service-worker (or event-page) start. */
export function startBackground(): void {
  const historyStorage = storedHistory(() => profilesItem.getValue());
  const record = storedUploadRecorder(historyStorage, notifier.failure);
  const lockAfterMinutes = async () => (await securityItem.getValue()).lockAfterMinutes;
  const serviceDeps: ServiceDeps = {
    loadProfiles: () => profilesItem.getValue(),
    saveProfiles: (store) => profilesItem.setValue(store),
    secrets: createSecretKeeper({
      read: () => secretsItem.getValue(),
      write: (value) => secretsItem.setValue(value),
      readSession: () => vaultSessionItem.getValue(),
      writeSession: (value) => vaultSessionItem.setValue(value),
      lockAfterMinutes,
      scheduleIdleLock: alarmIdleLockScheduler(browser.alarms),
      now: () => Date.now(),
    }),
    lockAfterMinutes,
    setLockAfterMinutes: (minutes) => securityItem.setValue({ lockAfterMinutes: minutes }),
    hasHostPermission: (origins: string[]) => browser.permissions.contains({ origins }),
    fetch: (input: string, init?: RequestInit) => fetch(input, init),
    now: () => new Date(),
    uuid: () => crypto.randomUUID(),
  };
  const service = createService(serviceDeps);
  void startSummaryPublisher(serviceDeps);
  void registerIdleLock({ keeper: serviceDeps.secrets, alarms: browser.alarms, watchSetting: (changed) => securityItem.watch(changed) });
  const api = offscreenApi();
  // Chrome: the runner and the clipboard live in an offscreen document, open only while something needs it.
  const offscreen = api
    ? offscreenDocument({
        api,
        runnerBusy: () => offscreenMessaging.sendMessage('runnerBusy'),
        closeLater: () => void browser.alarms.create(CLOSE_OFFSCREEN_ALARM, { delayInMinutes: KEEP_AFTER_COPY_MINUTES }),
      })
    : undefined;
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === CLOSE_OFFSCREEN_ALARM) void offscreen?.closeIfUnused().catch(() => {});
  });
  const copyFromBackground = backgroundCopier(offscreen);
  // One pool, so uploads, links and deletes share their S3 clients.
  const client = s3ClientPool();
  const checkStore: BucketCheckStore = { load: () => bucketChecksItem.getValue(), save: (checks) => bucketChecksItem.setValue(checks) };
  // Uploads read what the last bucket check saw (conditional writes) rather than guess it.
  const open = (profileId?: string) => openDestination({ ...serviceDeps, client, bucketCheck: storedBucketCheck(checkStore) }, profileId);
  const uploads = createUploadHandlers({
    open,
    record,
    now: serviceDeps.now,
    uuid: serviceDeps.uuid,
    // Chrome: the runner lives in the offscreen document. Firefox: right here, in the background page.
    ensureRunner: async () => {
      await offscreen?.ensure();
    },
    runnerIdle: async () => {
      await offscreen?.closeIfUnused();
    },
  });
  const history = createHistoryHandlers({ ...historyStorage, open, now: serviceDeps.now });
  const self = { extensionId: browser.runtime.id, extensionOrigin: browser.runtime.getURL('/') };
  const checks = createBucketCheckHandlers({ ...serviceDeps, client, store: checkStore });
  registerHandlers({ ...service, ...uploads, ...history, ...checks }, self);
  // Only a Manifest V2 build has a background page to host the runner in: the test is a build-time constant,
  // so Chrome's worker carries no runner code (the queue, XHR, progress: ~1.7 KiB gzip -9).
  if (import.meta.env.MANIFEST_VERSION === 2 && !offscreen && typeof document !== 'undefined')
    hostUploadRunner(uploads, (text) => copyWithTextarea(text));

  // A popup holds a port while it is open: it may add files any moment, so the runner's document stays.
  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== UPLOAD_VIEW_PORT || !isOwnExtensionPage(port.sender ?? {}, self.extensionId, self.extensionOrigin)) return;
    const detach = offscreen?.attachView();
    port.onDisconnect.addListener(() => detach?.());
  });

  // Read at each click: a redirect may not lead to any profile's bucket or service, as they are now.
  const forbiddenHosts = async () => ownStorageHosts((await profilesItem.getValue()).profiles);
  const saveDeps: SaveDeps = {
    // The same pipeline as the popup's files, with the upload service called directly (no message to itself).
    pipeline: {
      backend: uploads,
      transport: fetchTransport((input, init) => fetch(input, init)),
      copy: copyFromBackground,
      // Right-clicked images and screenshots get the same image and privacy stages as the popup's files
      // (OffscreenCanvas and createImageBitmap exist in the service worker).
      transforms: fileStages((context) => uploads.fileTreatment(context), canvasCodec()),
    },
    readInPage: async (target, url) => readImageInPage(target, url, { forbiddenHosts: await forbiddenHosts() }),
    fetchImage: async (url) => fetchImageFromNetwork(url, { forbiddenHosts: await forbiddenHosts() }),
    hasHostPermission: (origins) => browser.permissions.contains({ origins }),
    // Without a user gesture (some browsers give none to a worker) request() throws: then what is granted counts.
    requestHostPermission: (origins) =>
      browser.permissions.request({ origins }).catch(() => browser.permissions.contains({ origins })),
    notifySuccess: notifier.success,
    notifyFailure: notifier.failure,
    now: serviceDeps.now,
  };
  // Chrome refuses a third captureVisibleTab within a second: every capture, full page or not, takes its turn here.
  const pacer = capturePacer({ now: () => Date.now(), wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) });
  const captureVisible = (windowId: number) => pacer.run(() => browser.tabs.captureVisibleTab(windowId, { format: 'png' }));
  // Each browser's better way: Firefox draws the whole page in one call, Chrome scrolls and stitches.
  // A build-time constant, so each build carries only its own.
  const captureFullPage: CaptureFullPage = import.meta.env.FIREFOX ? firefoxFullPage() : chromeFullPage(captureVisible);
  // The same for a region: Firefox draws just the rectangle, Chrome crops the visible tab.
  const captureRegion: CaptureRegion = regionCapture(import.meta.env.FIREFOX ? firefoxRegion() : chromeRegion(captureVisible));
  // Captures waiting in the editor. The editor's own code is in its page; here only the hand-over.
  const held = heldCaptures(indexedDB);
  const editsCaptures = async (profileId?: string) => {
    const store = await profilesItem.getValue();
    return store.profiles.find((p) => p.id === (profileId ?? store.defaultId))?.editCaptures === true;
  };
  /**
   * Where every capture goes: straight up, or first to the editor (when asked for this once, or when the
   * profile edits every capture), which uploads it only when the user confirms.
   */
  const deliverCapture = async (
    picture: { bytes: Uint8Array; name: string; note?: string },
    tab: Browser.tabs.Tab,
    profileId?: string,
    editFirst = false,
  ) => {
    if (!editFirst && !(await editsCaptures(profileId)))
      return saveBytes(saveDeps, {
        ...picture,
        type: 'image/png',
        source: 'screenshot',
        ...(tab.url ? { pageUrl: tab.url } : {}),
        ...(profileId ? { profileId } : {}),
      });
    const id = crypto.randomUUID();
    await held.put({ id, ...picture, ...(profileId ? { profileId } : {}) });
    // Only the capture's id is in the address; the picture stays in the extension's own storage.
    const editor = await browser.tabs.create({
      url: browser.runtime.getURL(`/editor.html#${id}`),
      ...(tab.id !== undefined ? { openerTabId: tab.id, index: tab.index + 1 } : {}),
    });
    if (editor.id !== undefined) await held.setTab(id, editor.id);
    return null;
  };
  // Closing the editor's tab throws its capture away; so does a browser start (whatever a crash left).
  browser.tabs.onRemoved.addListener((tabId) => void held.deleteForTab(tabId).catch(() => {}));
  browser.runtime.onStartup.addListener(() => void held.clear().catch(() => {}));

  const saveScreenshot = async (tab: Browser.tabs.Tab, profileId?: string, editFirst = false) => {
    let dataUrl: string;
    try {
      dataUrl = await captureVisible(tab.windowId ?? browser.windows.WINDOW_ID_CURRENT);
    } catch (err) {
      await notifier.failure(t('notify_screenshotNotSaved'), t('notify_screenshotRefused', { reason: (err as Error).message }));
      return null;
    }
    // The capture API only gives a data: URL; it is decoded natively (see decodeDataUrl), never byte by byte.
    const { bytes } = decodeDataUrl(dataUrl);
    return deliverCapture({ bytes, name: screenshotName(tab, new Date()) }, tab, profileId, editFirst);
  };

  const saveFullPage = async (tab: Browser.tabs.Tab, profileId?: string) => {
    if (tab.id === undefined) return null;
    let picture;
    try {
      picture = await captureFullPage({ id: tab.id, windowId: tab.windowId ?? browser.windows.WINDOW_ID_CURRENT });
    } catch (err) {
      const sentence = err instanceof CaptureError ? err.message : t('notify_screenshotRefused', { reason: (err as Error).message });
      await notifier.failure(t('notify_fullPageNotSaved'), sentence);
      return null;
    }
    const percent = Math.floor((100 * picture.cssHeight) / Math.max(1, picture.pageHeight));
    return deliverCapture(
      {
        bytes: picture.bytes,
        name: screenshotName(tab, new Date(), 'full-page'),
        ...(picture.capped ? { note: t('notify_fullPageCapped', { percent: String(percent) }) } : {}),
      },
      tab,
      profileId,
    );
  };

  const saveRegion = async (tab: Browser.tabs.Tab, profileId?: string) => {
    if (tab.id === undefined) return null;
    let picture;
    try {
      picture = await captureRegion({ id: tab.id, windowId: tab.windowId ?? browser.windows.WINDOW_ID_CURRENT });
    } catch (err) {
      const sentence = err instanceof CaptureError ? err.message : t('notify_screenshotRefused', { reason: (err as Error).message });
      await notifier.failure(t('notify_regionNotSaved'), sentence);
      return null;
    }
    // Esc: the user changed their mind, which needs no notification.
    if (!picture) return null;
    return deliverCapture({ bytes: picture.bytes, name: screenshotName(tab, new Date(), 'region') }, tab, profileId);
  };

  // A menu click or shortcut has no page to show an error on: whatever fails ends in a notification.
  const orNotify = <A extends unknown[], R>(title: string, action: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R | null> => {
      try {
        return await action(...args);
      } catch (err) {
        const sentence = err instanceof ImageError ? err.message : t('upload_failed', { reason: (err as Error)?.message ?? String(err) });
        await notifier.failure(title, sentence).catch(() => {});
        return null;
      }
    };
  const onMenuClicked = createMenuClickListener({
    saveImage: orNotify(t('notify_imageNotSaved'), (click: ImageClick) => saveImage(saveDeps, click)),
    saveScreenshot: orNotify(t('notify_screenshotNotSaved'), saveScreenshot),
    saveFullPage: orNotify(t('notify_fullPageNotSaved'), saveFullPage),
    saveRegion: orNotify(t('notify_regionNotSaved'), saveRegion),
    editScreenshot: orNotify(t('notify_screenshotNotSaved'), (tab: Browser.tabs.Tab, profileId?: string) => saveScreenshot(tab, profileId, true)),
  });
  browser.contextMenus.onClicked.addListener(onMenuClicked);
  const onCommand = async (command: string, tab?: Browser.tabs.Tab) => {
    const action =
      command === COMMAND_SAVE_SCREENSHOT
        ? orNotify(t('notify_screenshotNotSaved'), saveScreenshot)
        : command === COMMAND_SAVE_FULL_PAGE
          ? orNotify(t('notify_fullPageNotSaved'), saveFullPage)
          : command === COMMAND_SAVE_REGION
            ? orNotify(t('notify_regionNotSaved'), saveRegion)
            : null;
    if (!action) return null;
    const target = tab ?? (await browser.tabs.query({ active: true, currentWindow: true }))[0];
    return target ? action(target) : null;
  };
  browser.commands.onCommand.addListener(onCommand);

  // Test builds only (see test-hooks.ts): Vite replaces MODE with a constant, so releases drop this.
  if (import.meta.env.MODE === 'e2e')
    exposeListenersForTests({
      menu: onMenuClicked,
      command: onCommand,
      isRegistered: () =>
        browser.contextMenus.onClicked.hasListener(onMenuClicked) && browser.commands.onCommand.hasListener(onCommand),
    });
  browser.notifications.onClicked.addListener((id) => void openNotificationLink(id));

  // Menus persist across service-worker restarts; recreate them on install/update, browser start, and
  // whenever the profiles change (one child item per profile once there are several).
  let menusBuilt = Promise.resolve();
  const createMenus = () => {
    menusBuilt = menusBuilt.then(async () => {
      const store = await profilesItem.getValue();
      await browser.contextMenus.removeAll();
      const items = menuItems(
        browser.runtime.getManifest().manifest_version,
        store.profiles.map(({ id, name }) => ({ id, name })),
        store.defaultId,
      );
      for (const item of items) browser.contextMenus.create(item);
    });
    return menusBuilt;
  };
  browser.runtime.onInstalled.addListener(() => void createMenus());
  browser.runtime.onStartup.addListener(() => void createMenus());
  // Unfinished uploads older than a week: their parts are thrown away on the server, each with a line in the history.
  const sweep = () =>
    sweepJournal({
      journal: idbJournal(),
      discard: (request) => uploads.discardUpload(request),
      addToHistory: async (entry) => {
        const limit = await historyStorage.loadLimit();
        await historyStorage.updateHistory((entries) => addEntry(entries, entry, limit));
      },
      now: () => Date.now(),
    }).catch((err) => console.warn('S3 Drop: old unfinished uploads were not cleared', err));
  browser.runtime.onStartup.addListener(() => void sweep());
  profilesItem.watch(() => void createMenus());
}
