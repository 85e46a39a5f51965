import type { UploadItem } from './queue';
import type { ImageChoice } from '../images/choice';

/**
 * How pages talk to the upload runner: a BroadcastChannel, because it carries
 * `File` objects by reference (no copy of the bytes, unlike extension
 * messaging, which only carries JSON) and because it only connects documents
 * of the same origin — this extension's own pages.
 */
export const RUNNER_CHANNEL = 's3drop-uploads';

/** The port a view holds to the background while it is open (Chrome keeps the runner's document for it). */
export const UPLOAD_VIEW_PORT = 'upload-view';

export type ToRunner =
  /**
   * `expiresIn`: seconds the files' share links should live (default: the profile's expiry).
   * A folder's files come with `paths` (each file's folders, in order: `{path}`) and the `folder`'s name;
   * `images`: the popup's image choice for these files (default: the profile's; the background checks it);
   * `handles`: each file's handle, in order, when Chrome's file picker chose them (the channel carries handles as it carries files).
   */
  | {
      type: 'add';
      files: File[];
      profileId?: string;
      expiresIn?: number;
      paths?: string[];
      folder?: string;
      images?: ImageChoice;
      handles?: FileSystemFileHandle[];
    }
  | { type: 'cancel'; id: number }
  | { type: 'retry'; id: number }
  /** Finish the journaled upload `entryId` with this file, picked again (the view matched it with the entry). */
  | { type: 'resume'; entryId: string; file: File }
  /** A view opened: send it the current state. */
  | { type: 'hello' };

export type FromRunner = { type: 'state'; items: UploadItem[] };

/** A typed channel end. */
export interface RunnerChannel<In, Out> {
  post(message: Out): void;
  listen(handler: (message: In) => void): () => void;
  close(): void;
}

function open<In, Out>(): RunnerChannel<In, Out> {
  const channel = new BroadcastChannel(RUNNER_CHANNEL);
  return {
    post: (message) => channel.postMessage(message),
    listen(handler) {
      const onMessage = (e: MessageEvent) => handler(e.data as In);
      channel.addEventListener('message', onMessage);
      return () => channel.removeEventListener('message', onMessage);
    },
    close: () => channel.close(),
  };
}

/** The runner's end: hears commands, posts state. */
export const openRunnerEnd = () => open<ToRunner, FromRunner>();
/** A view's end (the popup): posts commands, hears state. */
export const openViewEnd = () => open<FromRunner, ToRunner>();
