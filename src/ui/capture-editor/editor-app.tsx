import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { dragRect, fitScale, isArrow, toPicture } from '../../editor/geometry';
import { heldCaptures, type HeldCapture } from '../../editor/held-captures';
import {
  EMPTY_HISTORY,
  keptArea,
  labelText,
  MAX_LABEL_LENGTH,
  push,
  redo,
  toolForKey,
  TOOLS,
  undo,
  type EditHistory,
  type Operation,
  type Point,
  type Tool,
} from '../../editor/operations';
import { t } from '../../i18n/t';
import { copyText } from '../clipboard';
import { useUploadRunner } from '../use-upload-runner';
import { compose, drawPreview, exportPng } from './draw';

/** Each tool's button and what it does, from the catalog. */
const toolWords = (tool: Tool): { name: string; hint: string } =>
  ({
    crop: { name: t('capture_toolCrop'), hint: t('capture_hintCrop') },
    redact: { name: t('capture_toolRedact'), hint: t('capture_hintRedact') },
    pixelate: { name: t('capture_toolPixelate'), hint: t('capture_hintPixelate') },
    highlight: { name: t('capture_toolHighlight'), hint: t('capture_hintHighlight') },
    arrow: { name: t('capture_toolArrow'), hint: t('capture_hintArrow') },
    text: { name: t('capture_toolText'), hint: t('capture_hintText') },
  })[tool];

type Phase = 'loading' | 'gone' | 'editing' | 'saving' | 'discarded';
interface Loaded {
  capture: HeldCapture;
  picture: ImageBitmap;
}
/** A label being typed: where it goes on the picture, and where its field is shown. */
interface Labelling {
  at: Point;
  shown: Point;
  text: string;
}

const held = heldCaptures(indexedDB);

/**
 * The capture editor: the picture, tools on letters, and Save (Enter) or
 * Discard (Esc). Nothing leaves the browser until Save; the upload is the
 * popup's own (the runner: key, link, clipboard, history), for the profile
 * the capture was taken for.
 */
export function CaptureEditorApp() {
  const [phase, setPhase] = useState<Phase>('loading');
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [history, setHistory] = useState<EditHistory>(EMPTY_HISTORY);
  const [tool, setTool] = useState<Tool>('redact');
  const [drag, setDrag] = useState<{ from: Point; to: Point } | null>(null);
  const [labelling, setLabelling] = useState<Labelling | null>(null);
  const [box, setBox] = useState({ width: 0, height: 0 });
  /** The runner's last item id before ours was added: ours is the next with the capture's name. */
  const [sentAfter, setSentAfter] = useState<number | null>(null);
  const [copied, setCopied] = useState(false);
  const queue = useUploadRunner(loaded !== null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const stage = useRef<HTMLDivElement>(null);
  const composed = useMemo(() => document.createElement('canvas'), []);

  useEffect(() => {
    const id = decodeURIComponent(location.hash.slice(1));
    void (async () => {
      const capture = id ? await held.get(id).catch(() => undefined) : undefined;
      if (!capture) return moveTo('gone');
      // As drawn: no colour conversion, so pixels nobody edited go up exactly as captured.
      const picture = await createImageBitmap(new Blob([capture.bytes as BlobPart], { type: 'image/png' }), {
        colorSpaceConversion: 'none',
        premultiplyAlpha: 'none',
      });
      setLoaded({ capture, picture });
      moveTo('editing');
    })();
  }, []);

  const ops = history.done;
  const area = loaded ? keptArea(ops, loaded.picture) : { x: 0, y: 0, w: 1, h: 1 };
  const scale = fitScale(area, box);

  useEffect(() => {
    if (loaded) compose(composed, loaded.picture, ops);
  }, [loaded, ops, composed]);

  useEffect(() => {
    const el = stage.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setBox({ width: el.clientWidth, height: el.clientHeight }));
    observer.observe(el);
    return () => observer.disconnect();
  }, [phase === 'loading']);

  // The shown canvas: the kept area of the composed picture, and the drag under way.
  useEffect(() => {
    const el = canvas.current;
    if (!el || !loaded) return;
    el.width = area.w;
    el.height = area.h;
    const ctx = el.getContext('2d')!;
    ctx.drawImage(composed, area.x, area.y, area.w, area.h, 0, 0, area.w, area.h);
    if (drag) {
      ctx.save();
      ctx.translate(-area.x, -area.y);
      drawPreview(ctx, tool, dragRect(drag.from, drag.to, area), drag.from, drag.to, loaded.picture, scale);
      ctx.restore();
    }
  });

  /**
   * What the keys and Save act on, ahead of the next drawing: keys come faster than Preact redraws (Ctrl+Z then
   * Enter must save without the undone operation), so each change is noted here at once as well.
   */
  const now = useRef({ history, phase });
  const change = (next: (h: EditHistory) => EditHistory) => {
    now.current.history = next(now.current.history);
    setHistory(now.current.history);
  };
  const moveTo = (next: Phase) => {
    now.current.phase = next;
    setPhase(next);
  };
  const add = (op: Operation) => change((h) => push(h, op));
  const editing = phase === 'editing';
  const canSave = editing && queue.connected && labelling === null;

  const save = async () => {
    if (!loaded || now.current.phase !== 'editing' || !queue.connected || labelling) return;
    moveTo('saving');
    // Drawn again from the operations as they are now, not from what the screen last showed.
    const ops = now.current.history.done;
    const flat = document.createElement('canvas');
    compose(flat, loaded.picture, ops);
    const blob = await exportPng(flat, keptArea(ops, loaded.picture));
    const file = new File([blob], loaded.capture.name, { type: 'image/png' });
    setSentAfter(Math.max(0, ...queue.items.map((i) => i.id)));
    queue.add([file], loaded.capture.profileId);
    // The runner holds the file now (a failed upload can be retried from the popup): nothing is kept here.
    await held.delete(loaded.capture.id).catch(() => {});
  };

  const discard = async () => {
    if (!loaded || now.current.phase !== 'editing') return;
    moveTo('discarded');
    await held.delete(loaded.capture.id).catch(() => {});
    const tab = await browser.tabs.getCurrent().catch(() => undefined);
    if (tab?.id !== undefined) await browser.tabs.remove(tab.id).catch(() => {});
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // The label's field handles its own Enter and Esc.
      if (e.target instanceof HTMLInputElement && e.target.type === 'text') return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        if (editing) change(e.shiftKey ? redo : undo);
      } else if (mod && e.key.toLowerCase() === 'y') {
        e.preventDefault();
        if (editing) change(redo);
      } else if (e.key === 'Enter' && !(e.target instanceof HTMLElement && e.target.dataset.keepsEnter)) {
        // Enter saves from anywhere, even with a tool's button focused; Space still presses a button.
        e.preventDefault();
        void save();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        void discard();
      } else if (!mod && !e.altKey && editing) {
        const picked = toolForKey(e.key);
        if (picked) setTool(picked);
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  });

  const pointAt = (e: PointerEvent): Point => {
    const rect = canvas.current!.getBoundingClientRect();
    return toPicture({ area, scale: rect.width / area.w }, { x: e.clientX - rect.left, y: e.clientY - rect.top });
  };
  const onPointerDown = (e: PointerEvent) => {
    if (!editing || e.button !== 0) return;
    const at = pointAt(e);
    if (tool === 'text') {
      const rect = canvas.current!.getBoundingClientRect();
      setLabelling({ at, shown: { x: e.clientX - rect.left, y: e.clientY - rect.top }, text: '' });
      return;
    }
    (e.currentTarget as HTMLCanvasElement).setPointerCapture(e.pointerId);
    setDrag({ from: at, to: at });
  };
  const onPointerMove = (e: PointerEvent) => drag && setDrag({ from: drag.from, to: pointAt(e) });
  const onPointerUp = (e: PointerEvent) => {
    if (!drag) return;
    const to = pointAt(e);
    setDrag(null);
    if (tool === 'arrow') {
      if (isArrow(drag.from, to)) add({ tool, from: drag.from, to });
      return;
    }
    const rect = dragRect(drag.from, to, area);
    if (rect && tool !== 'text') add({ tool, rect });
  };

  const item = sentAfter === null ? undefined : queue.items.find((i) => i.id > sentAfter && i.name === loaded?.capture.name);

  return (
    <main class="capture-editor">
      <header class="editor-bar">
        {/* The tab's title says it; the bar's room is the tools'. */}
        <h1 class="visually-hidden">{t('capture_heading')}</h1>
        <div class="tools" role="toolbar" aria-label={t('capture_toolsLabel')}>
          {TOOLS.map(({ tool: each }) => (
            <button type="button" aria-pressed={tool === each} disabled={!editing} onClick={() => setTool(each)} title={toolWords(each).hint}>
              {toolWords(each).name}
            </button>
          ))}
          <button type="button" disabled={!editing || !history.done.length} onClick={() => change(undo)}>
            {t('capture_undo')}
          </button>
          <button type="button" disabled={!editing || !history.undone.length} onClick={() => change(redo)}>
            {t('capture_redo')}
          </button>
        </div>
        <div class="actions">
          <button type="button" data-keeps-enter="yes" disabled={!editing} onClick={() => void discard()}>
            {t('capture_discard')}
          </button>
          <button type="button" class="primary" disabled={!canSave} onClick={() => void save()}>
            {t('capture_save')}
          </button>
        </div>
      </header>
      <Status phase={phase} item={item} copied={copied} onCopy={async (text) => setCopied(await copyText(text))} onRetry={(id) => queue.retry(id)} />
      {editing && (
        <p class="muted hint" id="tool-hint">
          {toolWords(tool).hint} {loaded?.capture.note}
        </p>
      )}
      <div class="stage" ref={stage}>
        {loaded && (
          <div class="picture" style={{ width: `${area.w * scale}px`, height: `${area.h * scale}px` }}>
            <canvas
              ref={canvas}
              role="img"
              aria-label={t('capture_pictureLabel', { name: loaded.capture.name })}
              aria-describedby="tool-hint"
              class={`tool-${tool}`}
              onPointerDown={onPointerDown}
              onPointerMove={onPointerMove}
              onPointerUp={onPointerUp}
              onPointerCancel={() => setDrag(null)}
            />
            {labelling && (
              <input
                type="text"
                class="label-field"
                style={{ left: `${labelling.shown.x}px`, top: `${labelling.shown.y}px` }}
                aria-label={t('capture_labelText')}
                maxLength={MAX_LABEL_LENGTH}
                ref={(el) => el?.focus()}
                value={labelling.text}
                onInput={(e) => setLabelling({ ...labelling, text: e.currentTarget.value })}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    const text = labelText(labelling.text);
                    if (text) add({ tool: 'text', at: labelling.at, text });
                    setLabelling(null);
                  } else if (e.key === 'Escape') {
                    e.preventDefault();
                    setLabelling(null);
                  }
                }}
              />
            )}
          </div>
        )}
      </div>
    </main>
  );
}

function Status(props: {
  phase: Phase;
  item: ReturnType<typeof useUploadRunner>['items'][number] | undefined;
  copied: boolean;
  onCopy(text: string): void;
  onRetry(id: number): void;
}) {
  const { phase, item } = props;
  if (phase === 'loading') return <p role="status">{t('capture_loading')}</p>;
  if (phase === 'gone') return <p role="alert" class="alert">{t('capture_gone')}</p>;
  if (phase === 'discarded') return <p role="status">{t('capture_discarded')}</p>;
  if (phase !== 'saving') return <p role="status" class="visually-hidden" />;
  if (!item || item.status === 'queued' || item.status === 'uploading') return <p role="status">{t('capture_saving')}</p>;
  if (item.status === 'waiting') return <p role="status">{t('popup_waitingForUnlock')}</p>;
  if (item.status === 'failed' || item.status === 'cancelled')
    return (
      <div class="row">
        <p role="alert" class="alert">
          {item.error?.message ?? t('capture_cancelled')}
        </p>
        <button type="button" data-keeps-enter="yes" onClick={() => props.onRetry(item.id)}>
          {t('popup_retry')}
        </button>
      </div>
    );
  return (
    <div class="done">
      <p role="status">{t(item.copied || props.copied ? 'capture_savedCopied' : 'capture_saved')}</p>
      {item.link && (
        <div class="row">
          <input type="text" readOnly value={item.link} aria-label={t('popup_shareLinkFor', { name: item.name })} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" data-keeps-enter="yes" onClick={() => props.onCopy(item.copyText ?? item.link!)} aria-label={t('popup_copyLinkFor', { name: item.name })}>
            {t('popup_copy')}
          </button>
        </div>
      )}
    </div>
  );
}
