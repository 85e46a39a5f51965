/**
 * The steps of a full-page capture that run inside the page, through
 * `scripting.executeScript` under `activeTab`. The browser serialises each
 * function and runs it in the extension's isolated world of the page, so
 * each is self-contained: no imports, no closures, nothing from this file
 * but its own body. State between steps (the styles to put back) lives on
 * the isolated world's global, which the page's own scripts cannot see.
 */
import type { PageMetrics } from './full-page-plan';

export interface PageState extends PageMetrics {
  scrollX: number;
  scrollY: number;
}

/** The page's size, the viewport's and the device pixel ratio, and where it is scrolled to. */
export function measurePage(): PageState {
  const root = document.documentElement;
  const body = document.body;
  return {
    scrollHeight: Math.max(root.scrollHeight, body?.scrollHeight ?? 0),
    scrollWidth: Math.max(root.scrollWidth, body?.scrollWidth ?? 0),
    // clientWidth/Height leave out scrollbars; a page in quirks mode reports them on the body.
    viewportWidth: root.clientWidth || innerWidth,
    viewportHeight: (document.compatMode === 'BackCompat' ? body?.clientHeight : root.clientHeight) || innerHeight,
    dpr: devicePixelRatio || 1,
    scrollX,
    scrollY,
  };
}

/**
 * Scrolls to `y` at once (a page's `scroll-behavior: smooth` would animate)
 * and resolves with where the page really is once a frame has painted there:
 * the second animation frame after the scroll comes after the paint of the
 * first. With `hideFixed`, first hides every `position: fixed` or `sticky`
 * element, so a header or a cookie bar drawn in the first frame is not drawn
 * again in every later one (`visibility` keeps the layout as it is). Both in
 * one step, so no frame is painted with one change and not the other.
 */
export function scrollAndPaint(y: number, hideFixed: boolean): Promise<number> {
  if (hideFixed) {
    const store = globalThis as unknown as { __s3dropHidden?: { el: HTMLElement; value: string; priority: string; hadStyle: boolean }[] };
    const hidden = (store.__s3dropHidden ??= []);
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      const position = getComputedStyle(el).position;
      if (position !== 'fixed' && position !== 'sticky') continue;
      hidden.push({
        el,
        value: el.style.getPropertyValue('visibility'),
        priority: el.style.getPropertyPriority('visibility'),
        hadStyle: el.hasAttribute('style'),
      });
      el.style.setProperty('visibility', 'hidden', 'important');
    }
  }
  window.scrollTo({ top: y, left: 0, behavior: 'instant' });
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(scrollY))));
}

/** Puts back what `scrollAndPaint` hid and the scroll position; resolves with where the page is scrolled to. */
export function restorePage(x: number, y: number): Promise<{ scrollX: number; scrollY: number }> {
  const store = globalThis as unknown as { __s3dropHidden?: { el: HTMLElement; value: string; priority: string; hadStyle: boolean }[] };
  for (const { el, value, priority, hadStyle } of store.__s3dropHidden ?? []) {
    if (value) el.style.setProperty('visibility', value, priority);
    else el.style.removeProperty('visibility');
    // Only the one property is put back, so the page's own changes meanwhile stay; an element that had no style
    // attribute gets none. Chrome writes a changed inline style back to the attribute lazily, so it is read
    // first: removed before that, the attribute comes back empty.
    if (!hadStyle && el.getAttribute('style') === '') el.removeAttribute('style');
  }
  store.__s3dropHidden = [];
  window.scrollTo({ top: y, left: x, behavior: 'instant' });
  return new Promise((resolve) => requestAnimationFrame(() => resolve({ scrollX, scrollY })));
}
