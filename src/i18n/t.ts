import type { en, MessageKey } from './en';
import { formatMessage, substitutions, type MessageParams } from './format';

type GetMessage = (key: string, substitutions: string[]) => string | undefined;

/**
 * The `{name}` placeholders of a message, as a type, so a call that leaves
 * one out does not compile (`{"url": …}` in a sentence is text, not a placeholder).
 */
type Names<S extends string> = S extends `${string}{${infer N}}${infer Rest}`
  ? (N extends `${string}${' ' | '"' | '{'}${string}` ? never : N) | Names<Rest>
  : never;

/** The parameters a message needs, by name. */
export type ParamsOf<K extends MessageKey, V = string | number> = Record<Names<(typeof en)[K]>, V>;

/** No second argument for a message without placeholders; all of them for one with. */
export type MessageArgs<K extends MessageKey, V = string | number> = [Names<(typeof en)[K]>] extends [never] ? [] : [params: ParamsOf<K, V>];

/** The browser's `i18n.getMessage` when there is one that works (not in Node, not in WXT's fake browser). */
function browserGetMessage(): GetMessage | null {
  const api = (globalThis as { browser?: { i18n?: { getMessage?: GetMessage } }; chrome?: { i18n?: { getMessage?: GetMessage } } });
  const getMessage = api.browser?.i18n?.getMessage ?? api.chrome?.i18n?.getMessage;
  return getMessage ? (key, subs) => getMessage(key, subs) : null;
}

/**
 * The English catalog for contexts without `i18n.getMessage`: Node (tests,
 * scripts) and Chrome's offscreen document, whose only extension API is
 * `runtime`. Set by those contexts only, so the pages and the service worker
 * do not carry ~15 KB of English they never read.
 */
let english: Readonly<Record<string, string>> | null = null;

export function useEnglishFallback(catalog: typeof en): void {
  english = catalog;
}

/**
 * A user-visible string, in the browser's language when S3 Drop ships it
 * (`_locales/<lang>/messages.json`, made from `src/i18n/<lang>.ts` at build
 * time), else English. Where the browser has no i18n API it formats the
 * English catalog given to `useEnglishFallback`; without one it answers the
 * key, so a missing set-up shows instead of passing silently.
 */
export function t<K extends MessageKey>(key: K, ...params: MessageArgs<K>): string;
export function t(key: MessageKey, params?: MessageParams): string {
  const getMessage = browserGetMessage();
  if (getMessage) {
    try {
      const localized = getMessage(key, substitutions(params));
      if (localized) return localized;
    } catch {
      /* a fake browser without i18n: English below */
    }
  }
  const source = english?.[key];
  return source === undefined ? key : formatMessage(source, params);
}

export type { MessageKey } from './en';
