import { browser } from 'wxt/browser';

/** The slice of Chrome's `offscreen` API we use (not in the polyfill's types). */
export interface OffscreenApi {
  createDocument(params: { url: string; reasons: string[]; justification: string }): Promise<void>;
  closeDocument(): Promise<void>;
  hasDocument?(): Promise<boolean>;
}

/** Chrome's offscreen API; undefined in Firefox, whose background page has a DOM of its own. */
export function offscreenApi(): OffscreenApi | undefined {
  return (globalThis as { chrome?: { offscreen?: OffscreenApi } }).chrome?.offscreen;
}

export interface OffscreenDeps {
  api: OffscreenApi;
  /** Asks the runner in the document whether any upload is queued, waiting or moving. */
  runnerBusy(): Promise<boolean>;
  /**
   * Calls `closeIfUnused` a little later (an alarm: it wakes a stopped worker
   * too). After a copy from the background the document is kept that long,
   * since right-clicks come in runs and opening it costs 90–190 ms each time.
   * Without it the document closes at once.
   */
  closeLater?(): void;
  url?: string;
}

/** How long the document stays after a copy from the background (Chrome's alarms fire after 30 s at the soonest). */
export const KEEP_AFTER_COPY_MINUTES = 0.5;

/**
 * The one offscreen document's life. It hosts the upload runner (Blobs that
 * outlive the popup) and copies to the clipboard (no focus needed), and it
 * costs a renderer while it exists: so it opens on demand and closes as soon
 * as nothing needs it — no upload in the runner, no popup attached (it may
 * add files any moment) and no copy under way.
 *
 * The worker may have restarted since the document opened: what the runner
 * holds is asked of the runner itself, never remembered here.
 */
export function offscreenDocument(deps: OffscreenDeps) {
  let views = 0;
  let using = 0;
  /** Every open and close, one after another: Chrome allows one document, and a close must not cross an open. */
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const run = queue.then(step);
    queue = run.catch(() => {});
    return run;
  };
  const exists = async () => (await deps.api.hasDocument?.()) ?? false;

  const ensure = () =>
    serial(async () => {
      if (await exists()) return;
      await deps.api
        .createDocument({
          url: deps.url ?? browser.runtime.getURL('/offscreen.html'),
          reasons: ['BLOBS', 'CLIPBOARD'],
          justification: 'Keep uploads running after the popup closes, and put share links on the clipboard.',
        })
        .catch((err: unknown) => {
          if (!/single offscreen document/i.test(String(err))) throw err;
        });
    });

  /** Closes the document if nothing needs it; resolves to whether it did. */
  const closeIfUnused = () =>
    serial(async () => {
      if (views > 0 || using > 0 || !(await exists())) return false;
      // A runner that cannot answer is treated as busy: closing it could drop an upload.
      if (await deps.runnerBusy().catch(() => true)) return false;
      if (views > 0 || using > 0) return false;
      await deps.api.closeDocument();
      return true;
    });

  return {
    ensure,
    closeIfUnused,
    /** Runs a task that needs the document (a copy), then lets it close. */
    async use<T>(task: () => Promise<T>): Promise<T> {
      using++;
      try {
        await ensure();
        return await task();
      } finally {
        using--;
        if (deps.closeLater) deps.closeLater();
        else void closeIfUnused().catch(() => {});
      }
    },
    /** A view (the popup) is attached until `detach` is called: the document stays. */
    attachView(): () => void {
      views++;
      let attached = true;
      return () => {
        if (!attached) return;
        attached = false;
        views--;
        void closeIfUnused().catch(() => {});
      };
    },
  };
}

export type OffscreenDocument = ReturnType<typeof offscreenDocument>;
