/** The parts of `runtime.MessageSender` that decide trust. */
export interface SenderLike {
  id?: string;
  url?: string;
  origin?: string;
}

/**
 * True only for this extension's own pages (popup, options, offscreen). A
 * content script shares our extension id but runs at the page's URL; another
 * extension has another id.
 */
export function isOwnExtensionPage(sender: SenderLike, extensionId: string, extensionOrigin: string): boolean {
  if (sender.id !== extensionId) return false;
  const origin = extensionOrigin.replace(/\/+$/, '');
  const url = sender.url ?? '';
  if (!url.startsWith(`${origin}/`)) return false;
  return sender.origin === undefined || sender.origin === origin;
}
