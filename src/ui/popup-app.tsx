import { useEffect, useMemo, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { sendMessage, type PublicSettings } from '../messaging/protocol';
import { UploadQueue, type UploadItem } from '../upload/queue';
import { formatBytes } from '../upload/speed';
import { xhrTransport } from '../upload/xhr-transport';
import { copyText } from './clipboard';
import { describeDuration } from '../s3/expiry';
import { hostPermissionOrigins } from '../s3/endpoint';
import type { Profile } from '../settings/profile';
import { recentUploadsItem } from '../history/items';
import type { RecentUpload } from '../history/recent';

/** What the session's list keeps of a popup upload. */
function toRecent(item: UploadItem): RecentUpload {
  return {
    id: item.uid,
    source: 'popup',
    name: item.name,
    size: item.size,
    type: item.type,
    status: item.status === 'done' ? 'done' : 'failed',
    at: Date.now(),
    ...(item.key ? { key: item.key } : {}),
    ...(item.link ? { link: item.link } : {}),
    ...(item.linkExpiresAt ? { linkExpiresAt: item.linkExpiresAt } : {}),
    ...(item.copied !== undefined ? { copied: item.copied } : {}),
    ...(item.error ? { error: item.error } : {}),
  };
}

function createQueue(settings: () => PublicSettings | null): UploadQueue {
  return new UploadQueue({
    onSettled: (item) => void sendMessage('recordUpload', toRecent(item)),
    plan: (file) => sendMessage('planUpload', file),
    sign: (request) => sendMessage('signUpload', request),
    share: (request) => sendMessage('shareLink', request),
    transport: xhrTransport(),
    copy: (text) => copyText(text),
    context: () => {
      const profile = settings()?.profile;
      return { operation: 'upload', bucket: profile?.bucket ?? '', region: profile?.region ?? '', endpoint: profile?.endpoint ?? '' };
    },
  });
}

/** Pasted images arrive nameless ("image.png" at best); give them a name worth keeping. */
function namePasted(file: File, now = new Date()): File {
  if (file.name && file.name !== 'image.png') return file;
  const ext = file.type.split('/')[1]?.replace('jpeg', 'jpg') ?? 'bin';
  const stamp = now.toISOString().replace(/[:T]/g, '-').replace(/\..+/, '');
  return new File([file], `pasted-${stamp}.${ext}`, { type: file.type });
}

export function PopupApp() {
  const [settings, setSettings] = useState<PublicSettings | null>(null);
  const [items, setItems] = useState<readonly UploadItem[]>([]);
  const [dragging, setDragging] = useState(false);
  const [recent, setRecent] = useState<RecentUpload[]>([]);
  const queue = useMemo(() => createQueue(() => settings), [settings]);

  useEffect(() => {
    void sendMessage('getSettings').then(setSettings);
  }, []);
  useEffect(() => queue.subscribe(setItems), [queue]);
  useEffect(() => {
    void recentUploadsItem.getValue().then(setRecent);
    return recentUploadsItem.watch((list) => setRecent(list ?? []));
  }, []);
  const liveIds = new Set(items.map((i) => i.uid));
  const earlier = recent.filter((r) => !liveIds.has(r.id));

  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const files = Array.from(e.clipboardData?.files ?? []);
      if (!files.length) return;
      e.preventDefault();
      queue.add(files.map((f) => namePasted(f)));
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, [queue]);

  const configured = Boolean(settings?.profile && settings.hasSecret);
  const expiry = settings?.profile ? describeDuration(settings.profile.linkExpirySeconds) : '';

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
        if (configured && e.dataTransfer?.files.length) queue.add(Array.from(e.dataTransfer.files));
      }}
    >
      <header>
        <h1>S3 Drop</h1>
        <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
          Options
        </button>
      </header>

      {settings === null ? (
        <p class="muted">Loading…</p>
      ) : !configured ? (
        <section class="setup">
          <p>Set up your bucket to start uploading.</p>
          <button type="button" class="primary" onClick={() => void browser.runtime.openOptionsPage()}>
            Set up bucket
          </button>
        </section>
      ) : (
        <section class="dropzone" aria-describedby="drop-hint">
          <label class="button primary">
            Choose files
            <input
              type="file"
              multiple
              class="visually-hidden"
              onChange={(e) => {
                const input = e.currentTarget;
                if (input.files?.length) queue.add(Array.from(input.files));
                input.value = '';
              }}
            />
          </label>
          <p id="drop-hint" class="muted">
            or drop files here, or paste with Ctrl+V. Uploads go to <strong>{settings.profile!.bucket}</strong>; links last {expiry}.
          </p>
        </section>
      )}

      {items.length > 0 && (
        <ul class="uploads" aria-label="Uploads">
          {[...items].reverse().map((item) => (
            <UploadRow key={item.id} item={item} queue={queue} profile={settings?.profile ?? null} />
          ))}
        </ul>
      )}

      {earlier.length > 0 && (
        <section aria-labelledby="recent-heading">
          <h2 id="recent-heading">Recent</h2>
          <ul class="uploads" aria-label="Recent uploads">
            {earlier.map((upload) => (
              <RecentRow key={upload.id} upload={upload} />
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}

const SOURCE_LABEL: Record<RecentUpload['source'], string> = {
  popup: 'from this popup',
  image: 'image from a page',
  screenshot: 'screenshot',
};

function RecentRow({ upload }: { upload: RecentUpload }) {
  const [copied, setCopied] = useState(false);
  return (
    <li class={`upload ${upload.status}`}>
      <div class="name" title={upload.name}>
        {upload.name}
      </div>
      {upload.status === 'uploading' && <progress aria-label={`Uploading ${upload.name}`} />}
      {upload.status === 'done' && upload.link && (
        <div class="row">
          <input type="text" readOnly value={upload.link} aria-label={`Share link for ${upload.name}`} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" onClick={async () => setCopied(await copyText(upload.link!))} aria-label={`Copy link for ${upload.name}`}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
      )}
      {upload.status === 'failed' && upload.error && <p class="alert">{upload.error.message}</p>}
      <p class="muted">
        {formatBytes(upload.size)} · {SOURCE_LABEL[upload.source]} · {new Date(upload.at).toLocaleTimeString()}
        {upload.linkExpiresAt ? ` · link expires ${new Date(upload.linkExpiresAt).toLocaleString()}` : ''}
      </p>
    </li>
  );
}

function UploadRow({ item, queue, profile }: { item: UploadItem; queue: UploadQueue; profile: Profile | null }) {
  const [copied, setCopied] = useState(false);
  return (
    <li class={`upload ${item.status}`}>
      <div class="name" title={item.name}>
        {item.name}
      </div>
      {(item.status === 'uploading' || item.status === 'queued') && (
        <>
          <progress max={Math.max(item.size, 1)} value={item.loaded} aria-label={`Uploading ${item.name}`} />
          <div class="row">
            <span class="muted">
              {item.status === 'queued'
                ? 'Waiting…'
                : `${formatBytes(item.loaded)} of ${formatBytes(item.size)}${item.bytesPerSecond ? ` · ${formatBytes(item.bytesPerSecond)}/s` : ''}`}
            </span>
            <button type="button" onClick={() => queue.cancel(item.id)} aria-label={`Cancel upload of ${item.name}`}>
              Cancel
            </button>
          </div>
        </>
      )}
      {item.status === 'done' && item.link && (
        <>
          <div class="row">
            <input type="text" readOnly value={item.link} aria-label={`Share link for ${item.name}`} onFocus={(e) => e.currentTarget.select()} />
            <button
              type="button"
              onClick={async () => setCopied(await copyText(item.link!))}
              aria-label={`Copy link for ${item.name}`}
            >
              Copy
            </button>
          </div>
          <p class="muted" role="status">
            {item.copied || copied ? 'Link copied to the clipboard. ' : 'Uploaded. '}
            {formatBytes(item.size)}
            {item.linkExpiresAt ? ` · link expires ${new Date(item.linkExpiresAt).toLocaleString()}` : ''}
          </p>
        </>
      )}
      {item.status === 'failed' && item.error && (
        <>
          <p class="alert" role="alert">
            {item.error.message}
          </p>
          <div class="row">
            <button type="button" onClick={() => queue.retry(item.id)} aria-label={`Retry upload of ${item.name}`}>
              Retry
            </button>
            {item.error.fix?.kind === 'grant-access' && profile ? (
              <button
                type="button"
                class="primary"
                onClick={async () => {
                  // Must be the first await in the click: browsers only ask during a user gesture.
                  const granted = await browser.permissions.request({ origins: hostPermissionOrigins(profile) }).catch(() => false);
                  if (granted) queue.retry(item.id);
                }}
              >
                Allow access
              </button>
            ) : (
              item.error.fix && (
                <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
                  Open options
                </button>
              )
            )}
          </div>
        </>
      )}
      {item.status === 'cancelled' && <p class="muted">Cancelled.</p>}
    </li>
  );
}
