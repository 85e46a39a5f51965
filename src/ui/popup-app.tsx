import type { ComponentType } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { sendMessage, type ProfileSummary, type PublicSettings } from '../messaging/protocol';
import type { UploadItem } from '../upload/queue';
import { formatBytes, formatEta } from '../upload/speed';
import { useUploadRunner, type RunnerView } from './use-upload-runner';
import { copyText } from './clipboard';
import { describeDuration, isPresetExpiry, LINK_EXPIRY_PRESETS } from '../s3/expiry';
import { credentialsExpireAt, linkModeOf } from '../settings/profile-kinds';
import { keptProfileId, publicSettings } from '../settings/summary';
import { PUBLISHED_SETTINGS } from '../published';
import { readPublished, watchPublished } from './read-published';
import { RecentHistory, useDeletedUploads } from './recent-history';
import { hostsOf } from '../team/service-url';
import { autoDeleteNote } from './history-format';
import { privacyNote } from '../privacy/words';
import { imageNote } from '../images/words';
import { linkCutNote, tokenExpiryNote } from './token-expiry';
import { UnlockForm } from './unlock-form';
import { t } from '../i18n/t';
import { tRich } from './rich';
import type { FolderPick } from './popup-folder';
import type { ImageChoice } from '../images/choice';
import { chooseInTab } from './pick-in-tab';

/**
 * Files that come other than through the file input (a folder: reading it and its row; Chrome's file picker; a paste)
 * need code of their own: it loads when such files come, not with the popup.
 */
const folderUi = () => import('./popup-folder');
type FolderUi = Awaited<ReturnType<typeof folderUi>>;

/**
 * A component from a module loaded the first time it is drawn, not with the
 * popup (whose first load has a budget); drawn as nothing until then, and at
 * once for every later use.
 */
function lazy<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return (props) => {
    const [C, setC] = useState(() => loaded);
    useEffect(() => void (C || load().then((c) => setC(() => (loaded = c)))), []);
    return C ? <C {...props} /> : null;
  };
}

/** The folder row, from the module that read the folder (loaded by then). */
const FolderRow = lazy(() => folderUi().then((m) => m.FolderRow));
/** Copy as… and the QR code, drawn once an upload is done: no popup pays for them before it has a link. */
const LinkExtras = lazy(() => import('./popup-link-extras').then((m) => m.PopupLinkExtras));
/** The "Image options" disclosure, drawn just after the popup's first screen. */
const ImageOptions = lazy(() => import('./popup-image-options').then((m) => m.ImageOptions));


export function PopupApp() {
  const [profileId, setProfileId] = useState<string>('');
  const [dragging, setDragging] = useState(false);
  /** The link expiry chosen for the next files (seconds); `null`: the chosen profile's. */
  const [linkExpiry, setLinkExpiry] = useState<number | null>(null);
  /** Origins the chosen profile needs that the browser no longer grants (the user removed them). */
  const [revoked, setRevoked] = useState<string[]>([]);
  const [settings, setSettings] = useState<PublicSettings | null>(null);
  /** What the last folder left out (hidden files), or why it could not be read; empty: nothing to say. */
  const [folderNote, setFolderNote] = useState('');
  /** The image options chosen for the next files; `undefined`: the chosen profile's. */
  const [images, setImages] = useState<ImageChoice>();
  const queue = useUploadRunner(settings !== null);
  const items = queue.items;

  /** Shows new settings; the chosen profile stays while it exists (another window may delete it). */
  const show = (s: PublicSettings) => {
    setSettings(s);
    setProfileId((current) => keptProfileId(s, current));
  };
  /** The summary writes seen, and whether the background has answered: what is shown is never replaced by something older. */
  const seen = useRef({ writes: 0, answered: false });
  const load = () => {
    const asked = seen.current.writes;
    return sendMessage('getSettings', undefined).then((s) => {
      seen.current.answered = true;
      // A summary written after the question was asked is newer than this answer.
      if (asked === seen.current.writes) show(s);
    });
  };
  // A layout effect runs right after the first render; a plain one would wait for the next frame to start reading.
  useLayoutEffect(() => {
    // Draw at once from the summary the background keeps in storage, without waiting for the worker to
    // wake; its answer (the only source before the worker has first written the summary) and every change follow.
    void readPublished(PUBLISHED_SETTINGS).then((summary) => {
      if (summary && !seen.current.writes && !seen.current.answered) show(publicSettings(summary, undefined, Date.now()));
    });
    const unwatch = watchPublished(PUBLISHED_SETTINGS, (summary) => {
      if (!summary) return;
      seen.current.writes++;
      show(publicSettings(summary, undefined, Date.now()));
    });
    void load();
    return unwatch;
  }, []);
  const chosen = settings?.profiles.find((p) => p.profile.id === profileId) ?? null;
  useEffect(() => {
    if (!chosen?.accessOrigins.length) return setRevoked([]);
    void browser.permissions
      .contains({ origins: chosen.accessOrigins })
      .then((granted) => setRevoked(granted ? [] : chosen.accessOrigins), () => setRevoked([]));
  }, [chosen?.profile.id, chosen?.accessOrigins.join()]);
  /** Uploads whose objects were deleted (history page) leave the live list for Recent, where they show as deleted. */
  const deleted = useDeletedUploads(items.flatMap((i) => (i.status === 'done' && i.entryId ? [i.entryId] : [])));
  const live = items.filter((i) => !i.entryId || !deleted.has(i.entryId));
  /** Uploads shown live above; the Recent list leaves them out. */
  const liveIds = new Set(live.flatMap((i) => (i.entryId ? [i.entryId] : [])));

  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const files = Array.from(e.clipboardData?.files ?? []);
      if (!files.length) return;
      e.preventDefault();
      void folderUi().then((m) => add(files.map((f) => m.namePasted(f))));
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  });

  const configured = Boolean(chosen?.hasSecret);
  const profile = chosen?.profile ?? null;
  /** Public and custom-domain links are unsigned: nothing to choose, they never expire. */
  const expiring = profile ? linkModeOf(profile) === 'presigned' : false;
  const expiresIn = linkExpiry ?? profile?.linkExpirySeconds ?? 0;
  const expiry = profile ? describeDuration(expiresIn) : '';
  const locked = settings?.security.locked ?? false;
  // The per-upload choice says when the token cuts links short (linkCutNote), so this note only says when the token ends.
  const sessionTokenExpiration = profile ? credentialsExpireAt(profile) : undefined;
  const tokenNote = tokenExpiryNote({ sessionTokenExpiration, linkExpirySeconds: 0 }, Date.now());
  const cutNote = expiring ? linkCutNote({ sessionTokenExpiration }, expiresIn, Date.now()) : null;
  /** Files go to the profile chosen now, with the expiry chosen now; the runner waits for an unlock if the secrets are locked. */
  const add = (files: File[], handles?: FileSystemFileHandle[]) =>
    queue.add(files, profileId || undefined, expiring ? expiresIn : undefined, undefined, images, handles);
  /** A folder's files, each with its folders (`{path}`), as one upload named for the folder. */
  const addFolder = (pick: (m: FolderUi) => Promise<FolderPick>) =>
    void folderUi()
      .then(pick)
      .then((f) => {
        setFolderNote(f.note);
        if (f.files.length) queue.add(f.files, profileId || undefined, expiring ? expiresIn : undefined, f, images);
      });
  /**
   * Chrome's own picker (where the browser has one; the input serves elsewhere, and for folders) gives each file a
   * handle the upload journal keeps: an upload a restart interrupts then resumes in one click. Its code loads on the click.
   */
  const chooseFiles = (e: MouseEvent) =>
    'showOpenFilePicker' in window ? (e.preventDefault(), void folderUi().then((m) => m.chooseFiles(add))) : chooseInTab(e);

  return (
    <main
      class={`popup${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        if (!configured || !e.dataTransfer?.files.length) return;
        // Entries must be taken while the drop event lasts; a folder among them is then walked at leisure.
        const entries = Array.from(e.dataTransfer.items, (item) => item.webkitGetAsEntry?.()).filter((entry) => entry != null);
        if (!entries.some((entry) => entry.isDirectory)) return add(Array.from(e.dataTransfer.files));
        addFolder((m) => m.fromDrop(entries));
      }}
    >
      <header>
        <h1>{t('ext_name')}</h1>
        <div class="header-actions">
          <button
            type="button"
            onClick={() =>
              void browser.tabs.create({
                url: `${browser.runtime.getURL('/uploads.html')}${profileId ? `?profile=${encodeURIComponent(profileId)}` : ''}`,
              })
            }
          >
            {t('popup_history')}
          </button>
          <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
            {t('common_options')}
          </button>
        </div>
      </header>

      {locked && <UnlockForm onUnlocked={() => void load()} waiting={items.filter((i) => i.status === 'waiting').length} />}

      {settings && settings.profiles.length > 1 && (
        <div class="field">
          <label for="upload-profile">{t('popup_uploadTo')}</label>
          <select
            id="upload-profile"
            value={profileId}
            onChange={(e) => {
              setProfileId(e.currentTarget.value);
              // Each profile has its own default expiry (and image settings: the image options start again from them).
              setLinkExpiry(null);
            }}
          >
            {settings.profiles.map(({ profile: p }) => (
              <option value={p.id}>{p.id === settings.defaultId ? t('common_optionDefault', { option: p.name }) : p.name}</option>
            ))}
          </select>
        </div>
      )}

      {configured && expiring && (
        <div class="field">
          <label for="link-expiry">{t('popup_linkExpiresAfter')}</label>
          <select
            id="link-expiry"
            value={String(expiresIn)}
            aria-describedby={cutNote ? 'link-expiry-note' : undefined}
            onChange={(e) => setLinkExpiry(Number(e.currentTarget.value))}
          >
            {!isPresetExpiry(profile!.linkExpirySeconds) && (
              <option value={String(profile!.linkExpirySeconds)}>{t('common_optionDefault', { option: describeDuration(profile!.linkExpirySeconds) })}</option>
            )}
            {LINK_EXPIRY_PRESETS.map((p) => (
              <option value={String(p.seconds)}>{p.seconds === profile!.linkExpirySeconds ? t('common_optionDefault', { option: p.label }) : p.label}</option>
            ))}
          </select>
          {cutNote && (
            <p class="muted hint" id="link-expiry-note">
              {cutNote}
            </p>
          )}
        </div>
      )}

      {/* Keyed by profile: another profile's options start again from its own settings. */}
      {configured && <ImageOptions key={profileId} profile={profile!} onChoice={setImages} />}

      {revoked.length > 0 && (
        <div class="report bad" role="alert">
          <p>{t('popup_accessRevoked', { hosts: hostsOf(revoked), profile: profile?.name ?? '' })}</p>
          <button
            type="button"
            class="primary"
            onClick={async () => {
              // First await in the click: browsers only ask during a user gesture.
              const granted = await browser.permissions.request({ origins: revoked }).catch(() => false);
              if (granted) setRevoked([]);
            }}
          >
            {t('popup_grantAccess', { hosts: hostsOf(revoked) })}
          </button>
        </div>
      )}

      {tokenNote && (
        <p class={tokenNote.expired ? 'alert' : 'muted'} role={tokenNote.expired ? 'alert' : undefined}>
          {tokenNote.text}
        </p>
      )}

      {settings === null ? (
        <p class="muted">{t('common_loading')}</p>
      ) : !configured ? (
        <section class="setup">
          <p>{t('popup_setUpPrompt')}</p>
          <button type="button" class="primary" onClick={() => void browser.runtime.openOptionsPage()}>
            {t('popup_setUpButton')}
          </button>
        </section>
      ) : (
        <section class="dropzone" aria-describedby="drop-hint">
          <label class="button primary" onClick={chooseFiles}>
            {t('popup_chooseFiles')}
            <input
              type="file"
              multiple
              class="visually-hidden"
              onChange={(e) => {
                const input = e.currentTarget;
                if (input.files?.length) add(Array.from(input.files));
                input.value = '';
              }}
            />
          </label>
          <label class="button" onClick={chooseInTab}>
            {t('popup_chooseFolder')}
            <input
              type="file"
              {...{ webkitdirectory: true }}
              class="visually-hidden"
              onChange={(e) => {
                const input = e.currentTarget;
                const files = Array.from(input.files ?? []);
                input.value = '';
                if (files.length) addFolder((m) => m.fromInput(files));
              }}
            />
          </label>
          <p id="drop-hint" class="muted">
            {t('popup_dropHint')}{' '}
            {profile!.bucket
              ? tRich(expiring ? 'popup_destinationBucket' : 'popup_destinationBucketPublic', { bucket: <strong>{profile!.bucket}</strong>, duration: expiry })
              : t(expiring ? 'popup_destinationService' : 'popup_destinationServicePublic', { duration: expiry })}
          </p>
          {folderNote && (
            <p class="muted" role="status">
              {folderNote}
            </p>
          )}
        </section>
      )}


      {live.length > 0 && (
        <ul class="uploads" aria-label={t('popup_uploads')}>
          {[...live].reverse().map((item) =>
            // A folder's files show as one row, where its first file would be.
            item.folder ? (
              item.id === item.folder.id && <FolderRow key={item.id} items={live.filter((i) => i.folder?.id === item.id)} queue={queue} />
            ) : (
              <UploadRow
                key={item.id}
                item={item}
                queue={queue}
                profile={settings?.profiles.find((p) => p.profile.id === (item.profileId || settings.defaultId))}
              />
            ),
          )}
        </ul>
      )}

      {configured && <RecentHistory profileId={profileId} live={liveIds} />}
    </main>
  );
}

function UploadRow({ item, queue, profile }: { item: UploadItem; queue: RunnerView; profile: ProfileSummary | undefined }) {
  const [copied, setCopied] = useState(false);
  const accessOrigins = profile?.accessOrigins ?? [];
  const privacy = privacyNote(item.privacy);
  const image = imageNote(item.image);
  return (
    <li class={`upload ${item.status}`}>
      <div class="name" title={item.name}>
        {item.name}
      </div>
      {(item.status === 'uploading' || item.status === 'queued' || item.status === 'waiting') && (
        <>
          <progress max={Math.max(item.size, 1)} value={item.loaded} aria-label={t('popup_uploading', { name: item.name })} />
          <div class="row">
            <span class="muted">
              {item.status === 'queued'
                ? t('popup_queued')
                : item.status === 'waiting'
                ? t('popup_waitingForUnlock')
                : item.bytesPerSecond
                ? t('popup_progressSpeed', {
                    loaded: formatBytes(item.loaded),
                    size: formatBytes(item.size),
                    speed: formatBytes(item.bytesPerSecond),
                    eta: formatEta((item.size - item.loaded) / item.bytesPerSecond),
                  })
                : t('popup_progress', { loaded: formatBytes(item.loaded), size: formatBytes(item.size) })}
            </span>
            <button type="button" onClick={() => queue.cancel(item.id)} aria-label={t('popup_cancelUpload', { name: item.name })}>
              {t('popup_cancel')}
            </button>
          </div>
        </>
      )}
      {item.status === 'done' && item.link && (
        <>
          <div class="row">
            <input type="text" readOnly value={item.link} aria-label={t('popup_shareLinkFor', { name: item.name })} onFocus={(e) => e.currentTarget.select()} />
            <button
              type="button"
              // The form the profile copies (Markdown, HTML…), as after the upload.
              onClick={async () => setCopied(await copyText(item.copyText ?? item.link!))}
              aria-label={t('popup_copyLinkFor', { name: item.name })}
            >
              {t('popup_copy')}
            </button>
          </div>
          <p class="muted" role="status">
            {item.linkExpiresAt
              ? t(item.copied || copied ? 'popup_doneCopiedExpires' : 'popup_doneExpires', {
                  size: formatBytes(item.size),
                  date: new Date(item.linkExpiresAt).toLocaleString(),
                })
              : t(item.copied || copied ? 'popup_doneCopiedNeverExpires' : 'popup_doneNeverExpires', { size: formatBytes(item.size) })}
          </p>
          {item.deletesAt !== undefined && <p class="muted">{autoDeleteNote({ deletesAt: item.deletesAt })}</p>}
          <LinkExtras item={item} link={item.link} profile={profile} />
        </>
      )}
      {/* What happened to the photo's location, once it is known (done, or failed after the stage ran). */}
      {/* What the image stage did (converted, resized, or why it kept the file), once known. */}
      {image && (item.status === 'done' || item.status === 'failed') && <p class="muted image">{image}</p>}
      {privacy && (item.status === 'done' || item.status === 'failed') && <p class="muted privacy">{privacy}</p>}
      {item.status === 'failed' && item.error && (
        <>
          <p class="alert" role="alert">
            {item.error.message}
          </p>
          <div class="row">
            <button type="button" onClick={() => queue.retry(item.id)} aria-label={t('popup_retryUpload', { name: item.name })}>
              {t('popup_retry')}
            </button>
            {item.error.fix?.kind === 'grant-access' && accessOrigins.length ? (
              <button
                type="button"
                class="primary"
                onClick={async () => {
                  // Must be the first await in the click: browsers only ask during a user gesture.
                  const granted = await browser.permissions.request({ origins: accessOrigins }).catch(() => false);
                  if (granted) queue.retry(item.id);
                }}
              >
                {t('popup_allowAccess')}
              </button>
            ) : (
              item.error.fix && (
                <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
                  {t('popup_openOptions')}
                </button>
              )
            )}
          </div>
        </>
      )}
      {item.status === 'cancelled' && <p class="muted">{t('popup_cancelled')}</p>}
    </li>
  );
}

