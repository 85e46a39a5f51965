import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { sendMessage } from '../messaging/protocol';
import type { UploadItem } from '../upload/queue';
import { openViewEnd, UPLOAD_VIEW_PORT, type ToRunner } from '../upload/runner-channel';
import type { ImageChoice } from '../images/choice';

/** The popup's handle on the upload runner: its state, and the commands a view can send. */
export interface RunnerView {
  items: readonly UploadItem[];
  /** False until the runner has answered: uploads started before that wait, they are not lost. */
  connected: boolean;
  /**
   * Queues files for a profile (default: the default profile), with their links' expiry in seconds (default: the profile's);
   * a folder's files with each one's folders (`paths`, in order) and the folder's name; `images`, the image choice made in the popup;
   * `handles`, each file's handle when Chrome's file picker chose them (the journal keeps them for Resume).
   */
  add(
    files: File[],
    profileId?: string,
    expiresIn?: number,
    folder?: { name: string; paths: string[] },
    images?: ImageChoice,
    handles?: FileSystemFileHandle[],
  ): void;
  cancel(id: number): void;
  retry(id: number): void;
}

/** How often a view asks "are you there?" until the runner answers. */
const HELLO_INTERVAL_MS = 150;

/**
 * Attaches this view to the upload runner, which lives elsewhere and outlives
 * it: reopening the popup shows the same uploads, still moving.
 *
 * A runner that is already there (uploads under way) answers the first
 * "hello" at once. The background is asked to start one only once the view
 * has `drawn` its first useful screen: on Chrome that loads the offscreen
 * document, in the same renderer process (and on the same main thread) as the
 * popup, which would otherwise delay the popup's first screen; the runner is
 * ready long before the user has picked a file.
 */
export function useUploadRunner(drawn: boolean): RunnerView {
  const [items, setItems] = useState<readonly UploadItem[]>([]);
  const [connected, setConnected] = useState(false);
  const channel = useMemo(() => openViewEnd(), []);
  const waiting = useMemo<ToRunner[]>(() => [], []);
  /** Whether the runner has answered this view (a ref: both effects read it, neither redraws for it). */
  const answered = useRef(false);

  // Held while this view is open: the background keeps the runner's document for it (a new file may come any moment).
  // A restarted service worker drops the port; it is opened again at once.
  useEffect(() => {
    let port: ReturnType<typeof browser.runtime.connect> | undefined;
    let open = true;
    const attach = () => {
      if (!open) return;
      port = browser.runtime.connect({ name: UPLOAD_VIEW_PORT });
      port.onDisconnect.addListener(attach);
    };
    attach();
    return () => {
      open = false;
      port?.onDisconnect.removeListener(attach);
      port?.disconnect();
    };
  }, []);

  useEffect(() => {
    const stop = channel.listen((message) => {
      if (message.type !== 'state') return;
      setItems(message.items);
      if (answered.current) return;
      answered.current = true;
      setConnected(true);
      for (const command of waiting.splice(0)) channel.post(command);
    });
    channel.post({ type: 'hello' });
    return () => {
      stop();
      channel.close();
    };
  }, [channel, waiting]);

  useEffect(() => {
    if (!drawn) return;
    let alive = true;
    let hello: ReturnType<typeof setInterval> | undefined;
    void sendMessage('ensureRunner').finally(() => {
      if (!alive || answered.current) return;
      channel.post({ type: 'hello' });
      hello = setInterval(() => (answered.current ? clearInterval(hello) : channel.post({ type: 'hello' })), HELLO_INTERVAL_MS);
    });
    return () => {
      alive = false;
      clearInterval(hello);
    };
  }, [drawn, channel]);

  const send = (command: ToRunner) => {
    if (connected) channel.post(command);
    else waiting.push(command);
  };
  return {
    items,
    connected,
    // Absent choices go as `undefined` (the runner reads each only when set): fewer bytes in the popup's first load.
    add: (files, profileId, expiresIn, folder, images, handles) =>
      send({ type: 'add', files, profileId, expiresIn, paths: folder?.paths, folder: folder?.name, images, handles }),
    cancel: (id) => send({ type: 'cancel', id }),
    retry: (id) => send({ type: 'retry', id }),
  };
}
