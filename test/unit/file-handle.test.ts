/**
 * Resuming through a kept file handle (Chrome's file picker): which way Resume
 * takes, what the browser's answers mean, and that the picker's handles reach
 * the upload journal. The handle is a stand-in with the three methods a
 * `FileSystemFileHandle` has; the browser's own is driven in test/e2e.
 */
import { describe, expect, it, vi } from 'vitest';
import { fileFromHandle, handleFailureOf, resumeSourceOf, type KeptHandle } from '../../src/upload/file-handle';
import type { JournalEntry } from '../../src/upload/journal';
import { MiB } from '../../src/upload/part-plan';
import { UploadQueue } from '../../src/upload/queue';
import { chooseWithHandles } from '../../src/ui/choose-with-handles';
import { memoryJournal } from '../support/memory-journal';
import { FakeTransport, fakeUploadBackend } from '../support/upload-backend';

const FILE = new File(['the film, all of it'], 'film.mov', { type: 'video/quicktime', lastModified: 1_700_000_000_000 });

/** A handle whose permission starts as `state` and becomes `answer` when asked; `getFile` gives FILE or throws `fails`. */
function handle(state: PermissionState, answer: PermissionState | Error = 'granted', fails?: Error) {
  const h = {
    queryPermission: vi.fn(async () => state),
    requestPermission: vi.fn(async () => {
      if (answer instanceof Error) throw answer;
      return answer;
    }),
    getFile: vi.fn(async () => {
      if (fails) throw fails;
      return FILE;
    }),
  } satisfies KeptHandle;
  return h;
}

describe('resumeSourceOf', () => {
  it('an entry with a kept handle resumes through it; one without (dropped, Firefox, written before handles) asks for the file', () => {
    const kept = {} as FileSystemFileHandle;
    expect(resumeSourceOf({ handle: kept })).toBe('handle');
    expect(resumeSourceOf({})).toBe('pick');
    expect(resumeSourceOf({ handle: undefined })).toBe('pick');
  });
});

describe('handleFailureOf', () => {
  it.each([
    ['NotFoundError', 'gone'],
    ['TypeMismatchError', 'gone'],
    ['NotAllowedError', 'denied'],
    ['SecurityError', 'denied'],
    ['NotReadableError', 'unreadable'],
    ['InvalidStateError', 'unreadable'],
  ] as const)('%s means %s', (name, why) => {
    expect(handleFailureOf(new DOMException('from the browser', name))).toBe(why);
  });

  it('anything that is not a DOMException is "could not be read"', () => {
    expect(handleFailureOf(new TypeError('x is not a function'))).toBe('unreadable');
    expect(handleFailureOf(null)).toBe('unreadable');
    expect(handleFailureOf('NotFoundError')).toBe('unreadable');
  });
});

describe('fileFromHandle', () => {
  it('already granted (the same browser session): reads the file without asking', async () => {
    const h = handle('granted');
    expect(await fileFromHandle(h)).toEqual({ ok: true, file: FILE });
    expect(h.queryPermission).toHaveBeenCalledWith({ mode: 'read' });
    expect(h.requestPermission).not.toHaveBeenCalled();
  });

  it('after a restart the browser asks; allowed, the file is read', async () => {
    const h = handle('prompt', 'granted');
    expect(await fileFromHandle(h)).toEqual({ ok: true, file: FILE });
    expect(h.requestPermission).toHaveBeenCalledWith({ mode: 'read' });
  });

  it('refused (or the prompt dismissed): denied, and the file is not touched', async () => {
    for (const answer of ['denied', 'prompt'] as const) {
      const h = handle('prompt', answer);
      expect(await fileFromHandle(h)).toEqual({ ok: false, why: 'denied' });
      expect(h.getFile).not.toHaveBeenCalled();
    }
  });

  it('asked outside a click (no user gesture): denied', async () => {
    const h = handle('prompt', new DOMException('User activation is required to request permissions.', 'SecurityError'));
    expect(await fileFromHandle(h)).toEqual({ ok: false, why: 'denied' });
  });

  it("where the browser cannot show its prompt (Chrome's toolbar popup): never asks, says to ask elsewhere; granted still reads", async () => {
    const h = handle('prompt', 'granted');
    expect(await fileFromHandle(h, { canAsk: false })).toEqual({ ok: false, why: 'not-here' });
    expect(h.requestPermission).not.toHaveBeenCalled();
    expect(h.getFile).not.toHaveBeenCalled();
    const granted = handle('granted');
    expect(await fileFromHandle(granted, { canAsk: false })).toEqual({ ok: true, file: FILE });
  });

  it('the file was moved or deleted since: gone', async () => {
    const h = handle('prompt', 'granted', new DOMException('A requested file or directory could not be found at the time an operation was processed.', 'NotFoundError'));
    expect(await fileFromHandle(h)).toEqual({ ok: false, why: 'gone' });
  });
});

describe('chooseWithHandles (Chrome’s picker, from the popup’s Choose files)', () => {
  const fileHandle = (file: File) => ({ kind: 'file', name: file.name, getFile: async () => file }) as unknown as FileSystemFileHandle;

  it('hands every chosen file to the queue with its handle, in order, and asks for several', async () => {
    const second = new File(['x'.repeat(10)], 'notes.txt', { type: 'text/plain' });
    const handles = [fileHandle(FILE), fileHandle(second)];
    const showOpenFilePicker = vi.fn(async () => handles);
    const add = vi.fn();
    await chooseWithHandles(add, { showOpenFilePicker });
    expect(showOpenFilePicker).toHaveBeenCalledWith({ multiple: true });
    expect(add).toHaveBeenCalledTimes(1);
    expect(add.mock.calls[0]![0]).toEqual([FILE, second]);
    expect(add.mock.calls[0]![1]).toEqual(handles);
  });

  it('a closed picker (AbortError) adds nothing and says nothing', async () => {
    const add = vi.fn();
    const showOpenFilePicker = async () => {
      throw new DOMException('The user aborted a request.', 'AbortError');
    };
    await expect(chooseWithHandles(add, { showOpenFilePicker })).resolves.toBeUndefined();
    expect(add).not.toHaveBeenCalled();
  });

  it('any other failure is not swallowed', async () => {
    const showOpenFilePicker = async () => {
      throw new DOMException('Must be handling a user gesture to show a file picker.', 'SecurityError');
    };
    await expect(chooseWithHandles(vi.fn(), { showOpenFilePicker })).rejects.toMatchObject({ name: 'SecurityError' });
  });
});

describe('the upload journal keeps the picker’s handle', () => {
  /** A queue over the in-memory S3 whose journal records every entry written (a finished upload's entry is removed). */
  function queueWithJournal() {
    const fake = fakeUploadBackend();
    Object.assign(fake.profiles, { multipart: true, multipartThreshold: 1 * MiB });
    const journal = memoryJournal();
    const written: JournalEntry[] = [];
    const put = journal.put;
    journal.put = async (entry) => {
      written.push(entry);
      await put(entry);
    };
    const queue = new UploadQueue({ backend: fake.backend, transport: new FakeTransport(), copy: async () => true, journal });
    return { queue, written, journal };
  }
  const bigFile = (name: string) => new File([new Uint8Array(12 * MiB).fill(7)], name, { type: 'video/mp4', lastModified: 1_700_000_000_000 });

  it('a chosen file’s entry holds its handle (the same object); a dropped file’s entry has none', async () => {
    const { queue, written, journal } = queueWithJournal();
    const kept = { kind: 'file', name: 'chosen.mp4' } as unknown as FileSystemFileHandle;
    queue.add([bigFile('chosen.mp4'), bigFile('dropped.mp4')], { handles: [kept, undefined] });
    await queue.idle();
    expect(queue.snapshot().map((i) => i.status)).toEqual(['done', 'done']);
    const byName = new Map(written.map((e) => [e.name, e]));
    expect(byName.get('chosen.mp4')!.handle).toBe(kept);
    expect(byName.get('dropped.mp4')).toBeDefined();
    expect('handle' in byName.get('dropped.mp4')!).toBe(false);
    // Done: nothing left to resume.
    expect(journal.ids()).toEqual([]);
  });

  it('the handle is not in the state views are sent (only the journal needs it)', async () => {
    const { queue } = queueWithJournal();
    queue.add([bigFile('chosen.mp4')], { handles: [{ kind: 'file' } as unknown as FileSystemFileHandle] });
    await queue.idle();
    expect(JSON.stringify(queue.snapshot())).not.toMatch(/handle/);
  });
});
