import { describe, expect, it, vi } from 'vitest';
import { offscreenDocument, type OffscreenApi } from '../../src/background/offscreen';

/** Chrome's offscreen API as far as it matters here: one document at most, created and closed. */
function fakeApi() {
  let open = false;
  const api = {
    createDocument: vi.fn(async () => {
      if (open) throw new Error('Only a single offscreen document may be created.');
      open = true;
    }),
    closeDocument: vi.fn(async () => {
      if (!open) throw new Error('No current offscreen document.');
      open = false;
    }),
    hasDocument: vi.fn(async () => open),
  } satisfies OffscreenApi;
  return { api, isOpen: () => open };
}

function setup(over: { busy?: () => Promise<boolean>; closeLater?: () => void } = {}) {
  const fake = fakeApi();
  const runnerBusy = vi.fn(over.busy ?? (async () => false));
  const doc = offscreenDocument({ api: fake.api, runnerBusy, url: 'chrome-extension://id/offscreen.html', ...(over.closeLater ? { closeLater: over.closeLater } : {}) });
  return { ...fake, runnerBusy, doc };
}

describe('the offscreen document', () => {
  it('opens once however many ask at the same time', async () => {
    const { api, doc, isOpen } = setup();
    await Promise.all([doc.ensure(), doc.ensure(), doc.ensure()]);
    expect(api.createDocument).toHaveBeenCalledTimes(1);
    expect(isOpen()).toBe(true);
  });

  it('closes when nothing needs it: no view, no copy, and the runner says it is idle', async () => {
    const { api, doc, isOpen, runnerBusy } = setup();
    await doc.ensure();
    expect(await doc.closeIfUnused()).toBe(true);
    expect(runnerBusy).toHaveBeenCalledTimes(1);
    expect(api.closeDocument).toHaveBeenCalledTimes(1);
    expect(isOpen()).toBe(false);
    // And opens again on demand.
    await doc.ensure();
    expect(isOpen()).toBe(true);
  });

  it('stays while a popup is attached, and closes when the last one goes', async () => {
    const { doc, isOpen } = setup();
    await doc.ensure();
    const first = doc.attachView();
    const second = doc.attachView();
    expect(await doc.closeIfUnused()).toBe(false);
    first();
    first(); // Detaching twice counts once.
    await vi.waitFor(async () => expect(await doc.closeIfUnused()).toBe(false));
    expect(isOpen()).toBe(true);
    second();
    await vi.waitFor(() => expect(isOpen()).toBe(false));
  });

  it('stays while the runner has work, and when the runner cannot answer (closing could drop an upload)', async () => {
    let answer: () => Promise<boolean> = async () => true;
    const { doc, isOpen } = setup({ busy: () => answer() });
    await doc.ensure();
    expect(await doc.closeIfUnused()).toBe(false);
    answer = async () => {
      throw new Error('Could not establish connection. Receiving end does not exist.');
    };
    expect(await doc.closeIfUnused()).toBe(false);
    expect(isOpen()).toBe(true);
    answer = async () => false;
    expect(await doc.closeIfUnused()).toBe(true);
  });

  it('a copy opens it, and without a later close it closes right after', async () => {
    const { doc, isOpen } = setup();
    expect(await doc.use(async () => isOpen())).toBe(true);
    await vi.waitFor(() => expect(isOpen()).toBe(false));
  });

  it('after a copy from the background it is kept for the next one: the close is left to `closeLater`', async () => {
    const closeLater = vi.fn();
    const { api, doc, isOpen } = setup({ closeLater });
    await doc.use(async () => 'copied');
    await doc.use(async () => 'copied again');
    expect(api.createDocument).toHaveBeenCalledTimes(1);
    expect(closeLater).toHaveBeenCalledTimes(2);
    expect(isOpen()).toBe(true);
    // The alarm fires: nothing needs it any more.
    expect(await doc.closeIfUnused()).toBe(true);
  });

  it('a close never crosses an open: asked together, the document ends open for whoever asked for it', async () => {
    const { doc, isOpen } = setup();
    await doc.ensure();
    const closing = doc.closeIfUnused();
    const opening = doc.ensure();
    await Promise.all([closing, opening]);
    expect(isOpen()).toBe(true);
  });
});
