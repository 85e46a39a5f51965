/**
 * The popup's list of uploads a restart interrupted (from the upload
 * journal): how much went up and when, Resume (read the file again through
 * its kept handle, or pick it again; it must be the same bytes) and Discard
 * (the parts are thrown away on the server).
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { sendMessage } from '../messaging/protocol';
import { fileFromHandle, resumeSourceOf, type HandleFailure, type KeptHandle } from '../upload/file-handle';
import { fileIdentity, journaledBytes, matchIdentity, resumeRequestOf, type IdentityMatch, type JournalEntry } from '../upload/journal';
import type { UploadJournal } from '../upload/journal-store';
import { openViewEnd } from '../upload/runner-channel';
import { formatBytes } from '../upload/speed';
import { t } from '../i18n/t';
import { chooseInTab, reopenInTab } from './pick-in-tab';
import { browser } from 'wxt/browser';

/** This page is the toolbar's popup (not the same page opened in a tab). */
const inToolbarPopup = () => browser.extension.getViews({ type: 'popup' }).includes(window);


const MISMATCH = { size: 'resume_wrongSize', lastModified: 'resume_wrongDate', content: 'resume_wrongContent' } as const satisfies Record<
  Exclude<IdentityMatch, 'ok'>,
  string
>;

/** Why Resume asks for the file again after all, when its kept handle did not give it back. */
const HANDLE_FAILED = { denied: 'resume_handleDenied', gone: 'resume_handleGone', unreadable: 'resume_handleUnreadable' } as const satisfies Record<
  HandleFailure,
  string
>;

/** Hands the runner a file to finish an entry with, once it answers (after a restart it may still be starting). */
async function resumeInRunner(entryId: string, file: File): Promise<void> {
  await sendMessage('ensureRunner').catch(() => {});
  const channel = openViewEnd();
  await new Promise<void>((resolve) => {
    const hello = setInterval(() => channel.post({ type: 'hello' }), 150);
    const stop = channel.listen((message) => {
      if (message.type !== 'state') return;
      clearInterval(hello);
      stop();
      channel.post({ type: 'resume', entryId, file });
      resolve();
    });
    channel.post({ type: 'hello' });
  });
  channel.close();
}

/** Entries the runner is finishing now: the live list shows them, not this one. */
function useRunning(): Set<string> {
  const [running, setRunning] = useState(new Set<string>());
  useEffect(() => {
    const channel = openViewEnd();
    const stop = channel.listen((message) => {
      if (message.type === 'state')
        setRunning(new Set(message.items.flatMap((i) => (i.entryId && i.status !== 'failed' && i.status !== 'cancelled' ? [i.entryId] : []))));
    });
    channel.post({ type: 'hello' });
    return () => {
      stop();
      channel.close();
    };
  }, []);
  return running;
}

interface UnfinishedProps {
  entries: JournalEntry[];
  journal: UploadJournal;
}

/** Draws the list into the popup's empty slot for it (a plain `import('preact')` would keep all of Preact in the popup's first load). */
export function mountUnfinished(container: HTMLElement, props: UnfinishedProps): void {
  render(<UnfinishedUploads {...props} />, container);
}

export function UnfinishedUploads(props: UnfinishedProps) {
  const [entries, setEntries] = useState(props.entries);
  const running = useRunning();
  const shown = entries.filter((e) => !running.has(e.id));
  if (!shown.length) return null;
  const drop = (id: string) => setEntries((list) => list.filter((e) => e.id !== id));
  return (
    <section class="unfinished" aria-labelledby="unfinished-title">
      <h2 id="unfinished-title">{t('resume_title')}</h2>
      <ul class="uploads">
        {shown.map((entry) => (
          <Unfinished key={entry.id} entry={entry} journal={props.journal} onGone={() => drop(entry.id)} />
        ))}
      </ul>
    </section>
  );
}

function Unfinished({ entry, journal, onGone }: { entry: JournalEntry; journal: UploadJournal; onGone(): void }) {
  const [picking, setPicking] = useState(false);
  const [note, setNote] = useState<{ text: string; bad: boolean } | null>(null);
  const name = entry.name;

  const picked = async (file: File) => {
    const match = matchIdentity(entry.identity, await fileIdentity(file, { name: file.name, lastModified: file.lastModified }));
    // Not the same bytes: nothing is sent, and the entry stays for the right file (chosen again, also after a handle).
    if (match !== 'ok') {
      setPicking(true);
      return setNote({ text: t(MISMATCH[match], { picked: file.name, name }), bad: true });
    }
    setNote(null);
    await resumeInRunner(entry.id, file);
  };

  /** Through the kept handle when there is one (one click: the browser may ask leave to read it again), else by choosing the file. */
  const resume = async () => {
    if (resumeSourceOf(entry) === 'pick') return setPicking(true);
    // Straight from the click: the browser asks for leave only while the gesture lasts.
    const got = await fileFromHandle(entry.handle as unknown as KeptHandle, { canAsk: !inToolbarPopup() });
    if (got.ok) return picked(got.file);
    // Chrome cannot ask from its toolbar popup: this list opens in a tab, where Resume asks.
    if (got.why === 'not-here') return reopenInTab();
    setPicking(true);
    setNote({ text: t(HANDLE_FAILED[got.why], { name }), bad: true });
  };

  const discard = async () => {
    const answer = await sendMessage('discardUpload', resumeRequestOf(entry)).catch((err: Error) => ({
      ok: false as const,
      error: { code: 'NetworkError' as const, message: err.message, transient: true },
    }));
    // A profile deleted, or moved to another bucket: nothing here can reach the parts any more (a lifecycle rule can).
    const unreachable = !answer.ok && (answer.error.code === 'NoSuchProfile' || answer.error.code === 'InvalidSettings');
    if (!answer.ok && !unreachable) return setNote({ text: answer.error.message, bad: true });
    await journal.remove(entry.id);
    onGone();
  };

  return (
    <li class="upload">
      <div class="name" title={name}>
        {name}
      </div>
      <progress max={Math.max(entry.identity.size, 1)} value={journaledBytes(entry)} aria-hidden="true" />
      <p class="muted">
        {t('resume_progress', {
          loaded: formatBytes(journaledBytes(entry)),
          size: formatBytes(entry.identity.size),
          date: new Date(entry.updatedAt).toLocaleString(),
        })}
      </p>
      {picking && (
        <label class="button primary" onClick={chooseInTab}>
          {t('resume_pickAgain', { name })}
          <input
            type="file"
            class="visually-hidden"
            onChange={(e) => {
              const input = e.currentTarget;
              const file = input.files?.[0];
              input.value = '';
              if (file) void picked(file);
            }}
          />
        </label>
      )}
      <div class="row">
        {!picking && (
          <button type="button" class="primary" aria-label={t('resume_resumeLabel', { name })} onClick={() => void resume()}>
            {t('resume_resume')}
          </button>
        )}
        <button type="button" aria-label={t('resume_discardLabel', { name })} onClick={() => void discard()}>
          {t('resume_discard')}
        </button>
      </div>
      {note && (
        <p class={note.bad ? 'alert' : 'muted'} role={note.bad ? 'alert' : 'status'}>
          {note.text}
        </p>
      )}
    </li>
  );
}
