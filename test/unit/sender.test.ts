import { describe, expect, it } from 'vitest';
import { isOwnExtensionPage, type SenderLike } from '../../src/messaging/sender';

const ID = 'abcdefghijklmnopabcdefghijklmnop';
const ORIGIN = `chrome-extension://${ID}`;
const FIREFOX_ID = 's3-drop@example.org';
const FIREFOX_ORIGIN = 'moz-extension://0b7c3e1a-52f4-4d6e-9f0a-1c2d3e4f5a6b';

describe('isOwnExtensionPage', () => {
  it.each([
    [{ id: ID, url: `${ORIGIN}/popup.html`, origin: ORIGIN }],
    [{ id: ID, url: `${ORIGIN}/options.html#general` }],
    [{ id: ID, url: `${ORIGIN}/offscreen.html?x=1`, origin: ORIGIN }],
  ] as SenderLike[][])('accepts own page %o', (sender) => {
    expect(isOwnExtensionPage(sender, ID, ORIGIN)).toBe(true);
    // The origin as runtime.getURL('') gives it, with a trailing slash.
    expect(isOwnExtensionPage(sender, ID, `${ORIGIN}/`)).toBe(true);
  });

  it('accepts Firefox pages, whose origin is not derived from the id', () => {
    expect(isOwnExtensionPage({ id: FIREFOX_ID, url: `${FIREFOX_ORIGIN}/popup.html` }, FIREFOX_ID, `${FIREFOX_ORIGIN}/`)).toBe(true);
  });

  it('refuses another extension', () => {
    const other = 'zyxwvutsrqponmlkzyxwvutsrqponmlk';
    expect(isOwnExtensionPage({ id: other, url: `chrome-extension://${other}/popup.html` }, ID, ORIGIN)).toBe(false);
    // Even one claiming our URL.
    expect(isOwnExtensionPage({ id: other, url: `${ORIGIN}/popup.html`, origin: ORIGIN }, ID, ORIGIN)).toBe(false);
  });

  it('refuses our own content script, which runs at the page URL', () => {
    expect(isOwnExtensionPage({ id: ID, url: 'https://evil.example/page.html', origin: 'https://evil.example' }, ID, ORIGIN)).toBe(false);
    expect(isOwnExtensionPage({ id: ID, url: 'https://evil.example/page.html' }, ID, ORIGIN)).toBe(false);
  });

  it('refuses a sender without a URL or id', () => {
    expect(isOwnExtensionPage({ id: ID }, ID, ORIGIN)).toBe(false);
    expect(isOwnExtensionPage({ id: ID, url: '' }, ID, ORIGIN)).toBe(false);
    expect(isOwnExtensionPage({ url: `${ORIGIN}/popup.html` }, ID, ORIGIN)).toBe(false);
    expect(isOwnExtensionPage({}, ID, ORIGIN)).toBe(false);
  });

  it('refuses a URL that only starts like our origin', () => {
    expect(isOwnExtensionPage({ id: ID, url: `${ORIGIN}.evil.example/popup.html` }, ID, ORIGIN)).toBe(false);
    expect(isOwnExtensionPage({ id: ID, url: `${ORIGIN}evil/popup.html` }, ID, ORIGIN)).toBe(false);
    expect(isOwnExtensionPage({ id: ID, url: ORIGIN }, ID, ORIGIN)).toBe(false);
  });

  it('refuses when the reported origin differs from ours', () => {
    expect(isOwnExtensionPage({ id: ID, url: `${ORIGIN}/popup.html`, origin: 'https://evil.example' }, ID, ORIGIN)).toBe(false);
    expect(isOwnExtensionPage({ id: ID, url: `${ORIGIN}/popup.html`, origin: 'null' }, ID, ORIGIN)).toBe(false);
  });
});
