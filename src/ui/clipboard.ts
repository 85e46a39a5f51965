import { copyWithTextarea } from '../clipboard/copy-in-document';

/**
 * Copies text from an extension page. `navigator.clipboard` needs a focused
 * document; the textarea + execCommand fallback covers a page that lost focus
 * (the manifest's `clipboardWrite` permits it without a user gesture).
 */
export async function copyText(text: string, doc: Document = document): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return copyWithTextarea(text, doc);
  }
}
