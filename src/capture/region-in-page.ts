/**
 * The overlay on which the user drags the region to save. The background
 * runs `regionOverlay` in the tab's top frame with `scripting.executeScript`
 * under `activeTab`, after `regionPlan(true)` (region-plan.ts) has put the
 * rectangle rules on the same isolated world's global. Like every function
 * injected this way it is self-contained: no imports, no closures; its text
 * comes in as an argument, already translated.
 *
 * The page is not trusted: the overlay is a fresh element of its own name
 * under `<html>`, in the top layer (above any z-index) where the browser has
 * it, its content in a closed shadow root, styled only through CSSOM (which
 * a page's Content-Security-Policy does not block, unlike a `<style>`
 * element). Its script runs in the extension's isolated world, so the page's
 * replaced globals and prototypes are not the ones it calls. Keys and
 * wheel events stop at the overlay, so the page under it neither scrolls nor
 * runs its shortcuts. Everything is removed however it ends.
 */
import type { Rect } from './region-plan';

/** What the overlay says, in the user's language. */
export interface RegionTexts {
  /** The overlay's accessible name. */
  title: string;
  hint: string;
  /** The size shown beside the rectangle, with `{width}` and `{height}` where the numbers go. */
  size: string;
  save: string;
  cancel: string;
}

/** The confirmed region: CSS pixels of the viewport, with what turns them into pixels of a capture. */
export interface RegionSelection extends Rect {
  dpr: number;
  /** Where the page was scrolled to (Firefox's `captureTab` takes page coordinates). */
  scrollX: number;
  scrollY: number;
  viewportWidth: number;
  viewportHeight: number;
}

/** After this long the overlay goes away by itself, before the browser may stop the background that waits for it. */
export const OVERLAY_TIMEOUT_MS = 4 * 60 * 1000;

/**
 * Shows the overlay and resolves with the region once the user confirms it
 * (Enter, or the Save button), after the overlay is gone from the screen
 * (two animation frames: the first frame after its removal has painted), or
 * with `null` when they cancel (Esc, the Cancel button), the page removes
 * the overlay, or `timeoutMs` passes.
 */
export function regionOverlay(texts: RegionTexts, timeoutMs: number): Promise<RegionSelection | null> {
  type Plan = import('./region-plan').RegionPlan;
  const store = globalThis as unknown as { __s3dropRegionPlan?: Plan; __s3dropRegionCancel?: () => void };
  const plan = store.__s3dropRegionPlan;
  if (!plan) return Promise.reject(new Error('region plan missing'));
  // A second request while one overlay is up replaces it.
  store.__s3dropRegionCancel?.();

  const root = document.documentElement;
  const viewport = () => ({ width: root.clientWidth || innerWidth, height: root.clientHeight || innerHeight });
  const style = (el: HTMLElement, rules: Record<string, string>) => {
    for (const [name, value] of Object.entries(rules)) el.style.setProperty(name, value, 'important');
  };
  const make = <K extends keyof HTMLElementTagNameMap>(tag: K, rules: Record<string, string>, parent: Node): HTMLElementTagNameMap[K] => {
    const el = document.createElement(tag);
    style(el, rules);
    parent.appendChild(el);
    return el;
  };
  const font = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  const shadeColour = 'rgba(0, 0, 0, 0.5)';

  // A name no page styles or scripts expect; an undefined custom element may still host a shadow root.
  const host = document.createElement('s3drop-region');
  style(host, {
    all: 'initial',
    display: 'block',
    position: 'fixed',
    inset: '0',
    width: '100vw',
    height: '100vh',
    'max-width': 'none',
    'max-height': 'none',
    margin: '0',
    padding: '0',
    border: '0',
    background: 'transparent',
    overflow: 'hidden',
    'z-index': '2147483647',
    cursor: 'crosshair',
    'user-select': 'none',
    'touch-action': 'none',
    'pointer-events': 'auto',
    visibility: 'visible',
    opacity: '1',
    transform: 'none',
    filter: 'none',
  });
  const shadow = host.attachShadow({ mode: 'closed' });
  const dialog = make('div', { position: 'absolute', inset: '0', outline: 'none', font: `14px/1.4 ${font}` }, shadow);
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-modal', 'true');
  dialog.setAttribute('aria-label', texts.title);
  dialog.tabIndex = -1;
  // Before a drag, the whole page is dimmed; after, all but the rectangle (its shadow is the dimming).
  const shade = make('div', { position: 'absolute', inset: '0', background: shadeColour }, dialog);
  const box = make(
    'div',
    {
      display: 'none',
      position: 'absolute',
      'box-sizing': 'border-box',
      outline: '1px solid #ffffff',
      'box-shadow': `0 0 0 1px #000000, 0 0 0 200vmax ${shadeColour}`,
    },
    dialog,
  );
  const label = make(
    'div',
    {
      display: 'none',
      position: 'absolute',
      padding: '2px 6px',
      'border-radius': '4px',
      // A light edge, so the label stands out on a dark page as on a light one.
      border: '1px solid rgba(255, 255, 255, 0.6)',
      background: '#1f2328',
      color: '#ffffff',
      font: `12px/1.4 ${font}`,
      'white-space': 'nowrap',
      'pointer-events': 'none',
    },
    dialog,
  );
  label.setAttribute('role', 'status');
  const panel = make(
    'div',
    {
      position: 'absolute',
      top: '12px',
      left: '50%',
      transform: 'translateX(-50%)',
      display: 'flex',
      'align-items': 'center',
      gap: '12px',
      'max-width': 'calc(100% - 24px)',
      'box-sizing': 'border-box',
      padding: '8px 8px 8px 14px',
      'border-radius': '8px',
      background: '#1f2328',
      color: '#f6f8fa',
      'box-shadow': '0 4px 16px rgba(0, 0, 0, 0.4)',
      cursor: 'default',
    },
    dialog,
  );
  const hint = make('span', { flex: '1 1 auto' }, panel);
  hint.textContent = texts.hint;
  const button = (text: string, primary: boolean) => {
    const el = make(
      'button',
      {
        flex: 'none',
        font: `600 14px/1.2 ${font}`,
        padding: '7px 14px',
        'border-radius': '6px',
        border: primary ? '1px solid #2f81f7' : '1px solid #6e7681',
        background: primary ? '#1f6feb' : '#30363d',
        color: '#ffffff',
        cursor: 'pointer',
      },
      panel,
    );
    el.type = 'button';
    el.textContent = text;
    return el;
  };
  const cancelButton = button(texts.cancel, false);
  const saveButton = button(texts.save, true);

  let rect: Rect | null = null;
  let dragStart: { x: number; y: number } | null = null;
  const render = () => {
    const ok = plan.bigEnough(rect);
    saveButton.disabled = !ok;
    style(saveButton, { opacity: ok ? '1' : '0.5', cursor: ok ? 'pointer' : 'not-allowed' });
    if (!rect || (rect.width === 0 && rect.height === 0)) {
      style(shade, { display: 'block' });
      style(box, { display: 'none' });
      style(label, { display: 'none' });
      return;
    }
    style(shade, { display: 'none' });
    style(box, { display: 'block', left: `${rect.x}px`, top: `${rect.y}px`, width: `${rect.width}px`, height: `${rect.height}px` });
    label.textContent = texts.size.replace('{width}', String(rect.width)).replace('{height}', String(rect.height));
    // Above the rectangle when there is room, else just inside it.
    style(label, { display: 'block', left: `${rect.x}px`, top: `${rect.y >= 26 ? rect.y - 26 : rect.y + 4}px` });
  };

  return new Promise((resolve) => {
    const events = new AbortController();
    const listen = <E extends Event>(target: EventTarget, type: string, handler: (event: E) => void, capture = false) =>
      target.addEventListener(type, handler as EventListener, { signal: events.signal, capture, passive: false });
    let done = false;
    const finish = (selection: RegionSelection | null) => {
      if (done) return;
      done = true;
      events.abort();
      observer.disconnect();
      clearTimeout(timer);
      if (store.__s3dropRegionCancel === cancel) delete store.__s3dropRegionCancel;
      host.remove();
      if (!selection) return resolve(null);
      // The first frame after the removal is painted before the second one's callbacks run.
      requestAnimationFrame(() => requestAnimationFrame(() => resolve(selection)));
    };
    const cancel = () => finish(null);
    const confirm = () => {
      if (!plan.bigEnough(rect)) return;
      const size = viewport();
      finish({ ...plan.clamp(rect, size), dpr: devicePixelRatio || 1, scrollX, scrollY, viewportWidth: size.width, viewportHeight: size.height });
    };
    store.__s3dropRegionCancel = cancel;
    const timer = setTimeout(cancel, timeoutMs);
    // A page that takes the overlay out of its document gets nothing saved, and no overlay left waiting.
    const observer = new MutationObserver(() => {
      if (!host.isConnected) cancel();
    });
    observer.observe(root, { childList: true });

    listen<PointerEvent>(dialog, 'pointerdown', (event) => {
      if (event.button !== 0 || panel.contains(event.target as Node)) return;
      event.preventDefault();
      dialog.focus({ preventScroll: true });
      dragStart = { x: event.clientX, y: event.clientY };
      dialog.setPointerCapture(event.pointerId);
      rect = plan.fromPoints(dragStart, dragStart, viewport());
      render();
    });
    listen<PointerEvent>(dialog, 'pointermove', (event) => {
      if (!dragStart) return;
      rect = plan.fromPoints(dragStart, { x: event.clientX, y: event.clientY }, viewport());
      render();
    });
    const endDrag = (event: PointerEvent) => {
      if (!dragStart) return;
      rect = plan.fromPoints(dragStart, { x: event.clientX, y: event.clientY }, viewport());
      dragStart = null;
      if (dialog.hasPointerCapture(event.pointerId)) dialog.releasePointerCapture(event.pointerId);
      // A click without a drag clears the selection rather than leaving a dot.
      if (!plan.bigEnough(rect)) rect = null;
      render();
    };
    listen<PointerEvent>(dialog, 'pointerup', endDrag);
    listen<PointerEvent>(dialog, 'pointercancel', endDrag);
    listen<MouseEvent>(saveButton, 'click', confirm);
    listen<MouseEvent>(cancelButton, 'click', cancel);
    listen<KeyboardEvent>(dialog, 'keydown', (event) => {
      event.stopPropagation();
      const onButton = event.target === saveButton || event.target === cancelButton;
      // Enter or Space on a focused button is that button's click.
      if (onButton && (event.key === 'Enter' || event.key === ' ')) return;
      if (event.key === 'Tab') {
        // Focus stays in the overlay: Tab goes round its two buttons.
        event.preventDefault();
        const order = [cancelButton, saveButton].filter((b) => !b.disabled);
        const at = order.indexOf(shadow.activeElement as HTMLButtonElement);
        const next = at < 0 ? (event.shiftKey ? order.length - 1 : 0) : (at + (event.shiftKey ? order.length - 1 : 1)) % order.length;
        order[next]?.focus();
        return;
      }
      event.preventDefault();
      if (event.key === 'Escape') return cancel();
      if (event.key === 'Enter') return confirm();
      const step = event.shiftKey ? 10 : 1;
      const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      const move = moves[event.key];
      if (move && rect) {
        rect = plan.nudge(rect, move[0], move[1], viewport());
        render();
      }
    });
    for (const type of ['keyup', 'keypress']) listen<KeyboardEvent>(dialog, type, (event) => event.stopPropagation());
    listen<WheelEvent>(host, 'wheel', (event) => event.preventDefault());

    render();
    root.appendChild(host);
    // The top layer is above everything the page can stack; where the browser has none, the z-index above serves.
    try {
      host.popover = 'manual';
      host.showPopover();
    } catch {
      /* no popover API: stays a fixed element at the highest z-index */
    }
    dialog.focus({ preventScroll: true });
  });
}
