/**
 * Copies with a selected textarea and `execCommand('copy')`: works in a
 * document that is not focused (Chrome's offscreen document, Firefox's
 * background page) where `navigator.clipboard.writeText` is refused.
 */
export function copyWithTextarea(text: string, doc: Document = document): boolean {
  const area = doc.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  doc.body.append(area);
  area.select();
  try {
    return doc.execCommand('copy');
  } finally {
    area.remove();
  }
}
