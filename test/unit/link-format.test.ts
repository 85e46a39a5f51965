import { describe, expect, it } from 'vitest';
import { formatLink, linkTextOf, validateLinkTemplate, type LinkParts } from '../../src/links/link-format';
import { validateDraft } from '../../src/settings/profile-kinds';
import { EMPTY_PROFILE, EMPTY_SERVICE_PROFILE } from '../../src/settings/profile';

const URL_ = 'https://holiday-photos.s3.eu-west-1.amazonaws.com/2026/12/07/4f7c-sunset.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ab12';
const photo: LinkParts = { url: URL_, name: 'sunset.png', type: 'image/png', key: '2026/12/07/4f7c-sunset.png' };
const notes: LinkParts = { url: 'https://cdn.example.com/notes.txt', name: 'trip notes.txt', type: 'text/plain', key: 'notes.txt' };

describe('each format, as it is pasted', () => {
  it('the plain link, unchanged', () => {
    expect(formatLink({ format: 'url' }, photo)).toBe(URL_);
  });

  it('Markdown: pictures as images, the rest as links', () => {
    expect(formatLink({ format: 'markdown' }, photo)).toBe(`![sunset.png](${URL_})`);
    expect(formatLink({ format: 'markdown' }, notes)).toBe('[trip notes.txt](https://cdn.example.com/notes.txt)');
  });

  it('HTML: <img> for pictures, <a> for the rest, with & escaped in the address', () => {
    expect(formatLink({ format: 'html' }, photo)).toBe(`<img src="${URL_.replace(/&/g, '&amp;')}" alt="sunset.png">`);
    expect(formatLink({ format: 'html' }, notes)).toBe('<a href="https://cdn.example.com/notes.txt">trip notes.txt</a>');
  });

  it('BBCode: [img] for pictures, [url=…] for the rest', () => {
    expect(formatLink({ format: 'bbcode' }, photo)).toBe(`[img]${URL_}[/img]`);
    expect(formatLink({ format: 'bbcode' }, notes)).toBe('[url=https://cdn.example.com/notes.txt]trip notes.txt[/url]');
  });

  it('a custom text, tokens replaced once', () => {
    expect(formatLink({ format: 'custom', template: '{name}: {url} ({key})' }, notes)).toBe('trip notes.txt: https://cdn.example.com/notes.txt (notes.txt)');
    // A name that looks like a token stays what it is.
    expect(formatLink({ format: 'custom', template: '{name} {url}' }, { ...notes, name: '{url}.txt' })).toBe('{url}.txt https://cdn.example.com/notes.txt');
  });
});

describe('a hostile file name stays a name in every format', () => {
  const evil: LinkParts = { url: 'https://b.example/x(1).png', name: '"><img src=x onerror=alert(1)>](javascript:alert(1)) [/url][url=https://evil]', type: 'image/png', key: 'x' };

  it('HTML: no tag or attribute can be opened by the name', () => {
    const out = formatLink({ format: 'html' }, evil);
    expect(out).toBe('<img src="https://b.example/x(1).png" alt="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;](javascript:alert(1)) [/url][url=https://evil]">');
    expect(formatLink({ format: 'html' }, { ...evil, type: 'text/plain' })).not.toMatch(/<img|<a [^>]*onerror/);
  });

  it('Markdown: the name cannot close the brackets, and the address cannot end early', () => {
    const out = formatLink({ format: 'markdown' }, { ...evil, type: 'text/plain' });
    expect(out).toBe(
      '["\\>\\<img src=x onerror=alert\\(1\\)\\>\\]\\(javascript:alert\\(1\\)\\) \\[/url\\]\\[url=https://evil\\]](https://b.example/x%281%29.png)',
    );
  });

  it('BBCode: brackets in the name become parentheses', () => {
    expect(formatLink({ format: 'bbcode' }, { ...evil, type: 'text/plain' })).toBe(
      '[url=https://b.example/x%281%29.png]"><img src=x onerror=alert(1)>)(javascript:alert(1)) (/url)(url=https://evil)[/url]',
    );
  });
});

describe('the profile’s choice', () => {
  it('defaults to the plain link', () => {
    expect(linkTextOf({})).toEqual({ format: 'url' });
    expect(linkTextOf({ linkFormat: 'custom', linkTemplate: '<{url}>' })).toEqual({ format: 'custom', template: '<{url}>' });
  });

  it('a custom text must hold {url} and stay short; either kind of profile may have one', () => {
    expect(validateLinkTemplate('{name}: {url}')).toBeNull();
    expect(validateLinkTemplate('{name}')).toMatch(/must contain \{url\}/);
    expect(validateLinkTemplate(`{url}${'x'.repeat(500)}`)).toMatch(/at most 500/);
    const keys = { ...EMPTY_PROFILE, name: 'p', accessKeyId: 'AKIA', secretAccessKey: 's', bucket: 'my-bucket', region: 'eu-west-1' };
    expect(validateDraft({ ...keys, linkFormat: 'custom', linkTemplate: 'see {name}' }, { hasSavedSecret: false }).linkTemplate).toMatch(/\{url\}/);
    expect(validateDraft({ ...keys, linkFormat: 'markdown' }, { hasSavedSecret: false })).toEqual({});
    const service = { ...EMPTY_SERVICE_PROFILE, name: 's', serviceUrl: 'https://files.example.com', serviceAuth: 'none' as const };
    expect(validateDraft({ ...service, linkFormat: 'html' }, { hasSavedSecret: false })).toEqual({});
    expect(validateDraft({ ...service, linkFormat: 'rtf' as never }, { hasSavedSecret: false }).linkFormat).toBe('Choose how links are copied.');
  });
});
