import { en, type MessageKey } from './en';
import { formatMessage, placeholderNames, type MessageParams } from './format';

type GetMessage = (key: string, substitutions: string[]) => string | undefined;

/** The browser's `i18n.getMessage` when there is one that works (not in Node, not in WXT's fake browser). */
function browserGetMessage(): GetMessage | null {
  const api = (globalThis as { browser?: { i18n?: { getMessage?: GetMessage } }; chrome?: { i18n?: { getMessage?: GetMessage } } });
  const getMessage = api.browser?.i18n?.getMessage ?? api.chrome?.i18n?.getMessage;
  return getMessage ? (key, subs) => getMessage(key, subs) : null;
}

/**
 * A user-visible string, in the browser's language when S3 Drop ships it
 * (`_locales/<lang>/messages.json`, made from `src/i18n/<lang>.ts` at build
 * time), else English. Outside a browser it formats the English catalog, so
 * the pure modules that make sentences are tested in plain Node.
 */
export function t(key: MessageKey, params?: MessageParams): string {
  const source = en[key];
  const getMessage = browserGetMessage();
  if (getMessage) {
    try {
      const localized = getMessage(key, placeholderNames(source).map((n) => String(params?.[n] ?? '')));
      if (localized) return localized;
    } catch {
      /* a fake browser without i18n: English below */
    }
  }
  return formatMessage(source, params);
}

export type { MessageKey } from './en';
