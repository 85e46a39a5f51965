import { browser } from 'wxt/browser';
import type { Published } from '../published';

/** The published value now, or `null` when there is none (or only one of another version). */
export async function readPublished<T>(value: Published<T>): Promise<T | null> {
  // The storage library keeps an item's version beside it, under `<key>$`, once it is past 1.
  const metaKey = `${value.key}$`;
  const got = await browser.storage.session.get([value.key, metaKey]);
  const version = (got[metaKey] as { v?: number } | undefined)?.v ?? 1;
  return version === value.version ? ((got[value.key] as T | undefined) ?? null) : null;
}

/** Calls `onChange` with each new value (`null` when removed) until the returned function is called. */
export function watchPublished<T>(value: Published<T>, onChange: (next: T | null) => void): () => void {
  const listener = (changes: Record<string, { newValue?: unknown }>, area: string) => {
    if (area === 'session' && value.key in changes) onChange((changes[value.key]!.newValue as T | undefined) ?? null);
  };
  browser.storage.onChanged.addListener(listener);
  return () => browser.storage.onChanged.removeListener(listener);
}
