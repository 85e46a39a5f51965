/**
 * A share link in the form it is pasted: the plain address, Markdown for
 * GitHub and docs, HTML, BBCode for forums, or the user's own template. Pure
 * text work: the popup, the history and the background all format the same way.
 */
import { t } from '../i18n/t';

export type LinkFormat = 'url' | 'markdown' | 'html' | 'bbcode' | 'custom';
export const LINK_FORMATS: readonly LinkFormat[] = ['url', 'markdown', 'html', 'bbcode', 'custom'];

/** What a formatted link is made of. */
export interface LinkParts {
  url: string;
  /** The file's name as the user knows it. */
  name: string;
  /** Its Content-Type: pictures become images, the rest links. */
  type: string;
  /** The object key. */
  key: string;
}

/** A profile's choice: the format, and the template when it is `custom`. */
export interface LinkText {
  format: LinkFormat;
  template?: string;
}

/** A profile's link text choice, with its default (the plain address). */
export function linkTextOf(profile: { linkFormat?: LinkFormat; linkTemplate?: string }): LinkText {
  return { format: profile.linkFormat ?? 'url', ...(profile.linkTemplate !== undefined ? { template: profile.linkTemplate } : {}) };
}

/** The tokens a custom template may use. */
export const LINK_TEMPLATE_TOKENS = ['{url}', '{name}', '{key}'] as const;
/** A template must fit in a chat message, and the settings item must stay small. */
export const MAX_LINK_TEMPLATE_LENGTH = 500;

/** Pictures a page shows inline: the formats with an image form embed these. */
function isPicture(type: string): boolean {
  return /^image\/(png|jpe?g|gif|webp|avif|bmp|svg\+xml)$/i.test(type);
}

/** A URL as Markdown's `(…)` and BBCode's `[url=…]` take it: the characters that would end it early are escaped. */
function inlineUrl(url: string): string {
  return url.replace(/[ ()[\]<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Markdown's link text: brackets, backslashes and the characters that start emphasis or HTML lose their meaning. */
function markdownText(text: string): string {
  return text.replace(/[\\[\]()*_`<>!]/g, (c) => `\\${c}`);
}

/** HTML text and attribute values: a name like `<img onerror=…>` stays text. */
function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** BBCode has no escape: brackets in a name become parentheses so they cannot open or close a tag. */
function bbcodeText(text: string): string {
  return text.replace(/\[/g, '(').replace(/]/g, ')');
}

/**
 * The link as `format` writes it. Names are escaped for the format they land
 * in: a file name is the uploader's to choose, and whoever pastes the result
 * must get a link, not markup the name smuggled in.
 */
export function formatLink(text: LinkText, parts: LinkParts): string {
  const { url, name, type, key } = parts;
  const picture = isPicture(type);
  switch (text.format) {
    case 'url':
      return url;
    case 'markdown':
      return `${picture ? '!' : ''}[${markdownText(name)}](${inlineUrl(url)})`;
    case 'html':
      return picture ? `<img src="${html(url)}" alt="${html(name)}">` : `<a href="${html(url)}">${html(name)}</a>`;
    case 'bbcode':
      return picture ? `[img]${inlineUrl(url)}[/img]` : `[url=${inlineUrl(url)}]${bbcodeText(name)}[/url]`;
    case 'custom':
      // One pass, so a name that contains "{url}" stays that text.
      return (text.template || '{url}').replace(/\{(url|name|key)\}/g, (_, token: string) => ({ url, name, key })[token as 'url' | 'name' | 'key']);
  }
}

/** A sentence for an unusable custom template, or `null`. */
export function validateLinkTemplate(template: string | undefined): string | null {
  if (!template || !template.includes('{url}')) return t('profile_linkTemplateNeedsUrl', { token: '{url}' });
  if (template.length > MAX_LINK_TEMPLATE_LENGTH) return t('profile_linkTemplateTooLong', { max: MAX_LINK_TEMPLATE_LENGTH });
  return null;
}

/** The format names as menus and the options page show them. */
export function linkFormatLabel(format: LinkFormat): string {
  return {
    url: t('linkFormat_url'),
    markdown: t('linkFormat_markdown'),
    html: t('linkFormat_html'),
    bbcode: t('linkFormat_bbcode'),
    custom: t('linkFormat_custom'),
  }[format];
}
