import { UploadQueue, type QueueDeps, type UploadItem } from './queue';
import { openRunnerEnd } from './runner-channel';

/** State is sent to views at most this often while bytes move; status changes go at once. */
const STATE_INTERVAL_MS = 100;

/**
 * The upload runner: the queue, in a document that outlives the popup (Chrome's
 * offscreen document, Firefox's background page). Views send it files and
 * commands over the runner channel and get its state back; closing a view
 * changes nothing here.
 */
/** Whether any upload still needs the runner. */
export function runnerBusy(items: readonly UploadItem[]): boolean {
  return items.some((i) => i.status === 'queued' || i.status === 'waiting' || i.status === 'uploading');
}

export function startUploadRunner(deps: QueueDeps, options: { onIdle?(): void } = {}): { queue: UploadQueue; busy(): boolean; stop(): void } {
  const queue = new UploadQueue(deps);
  const channel = openRunnerEnd();
  let lastSent = 0;
  let lastStatuses = '';
  let pending: ReturnType<typeof setTimeout> | undefined;

  const send = (items: readonly UploadItem[]) => {
    lastSent = Date.now();
    lastStatuses = items.map((i) => `${i.id}:${i.status}:${i.copied}`).join();
    channel.post({ type: 'state', items: [...items] });
  };
  let wasBusy = false;
  const unsubscribe = queue.subscribe((items) => {
    const busy = runnerBusy(items);
    if (wasBusy && !busy) options.onIdle?.();
    wasBusy = busy;
    const statuses = items.map((i) => `${i.id}:${i.status}:${i.copied}`).join();
    if (statuses !== lastStatuses || Date.now() - lastSent >= STATE_INTERVAL_MS) {
      clearTimeout(pending);
      pending = undefined;
      send(items);
    } else {
      pending ??= setTimeout(() => {
        pending = undefined;
        send(queue.snapshot());
      }, STATE_INTERVAL_MS);
    }
  });
  const stopListening = channel.listen((message) => {
    if (message.type === 'add')
      queue.add(message.files, {
        ...(message.profileId ? { profileId: message.profileId } : {}),
        ...(message.expiresIn !== undefined ? { expiresIn: message.expiresIn } : {}),
        ...(message.paths ? { paths: message.paths } : {}),
        ...(message.folder ? { folder: message.folder } : {}),
        ...(message.images ? { images: message.images } : {}),
        ...(message.handles ? { handles: message.handles } : {}),
      });
    else if (message.type === 'cancel') queue.cancel(message.id);
    else if (message.type === 'retry') queue.retry(message.id);
    else if (message.type === 'resume')
      // Read again here: parts may have been added since the view read it.
      void deps.journal?.get(message.entryId).then((entry) => entry && queue.resume(message.file, entry));
    else if (message.type === 'hello') send(queue.snapshot());
  });
  return {
    queue,
    busy: () => runnerBusy(queue.snapshot()),
    stop() {
      clearTimeout(pending);
      unsubscribe();
      stopListening();
      channel.close();
    },
  };
}
