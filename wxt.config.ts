import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { en } from './src/i18n/en';
import { toMessagesJson } from './src/i18n/format';

/**
 * The AWS SDK's "browser" build parses XML with DOMParser, which a Chrome
 * service worker does not have (aws-sdk-js-v3 #7375). Its Node parser is
 * plain JavaScript, so point the browser mapping back at it.
 */
function sdkXmlParserWithoutDom(): Plugin {
  const pureParser = fileURLToPath(
    new URL('./node_modules/@aws-sdk/xml-builder/dist-es/xml-parser.js', import.meta.url),
  );
  return {
    name: 's3-drop:sdk-xml-parser-without-dom',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === './xml-parser' && importer?.includes('@aws-sdk/xml-builder')) return pureParser;
      return null;
    },
  };
}

/**
 * Preact applies `dangerouslySetInnerHTML` with `dom.innerHTML = html.__html`,
 * which addons.mozilla.org's linter flags (UNSAFE_VAR_ASSIGNMENT) wherever
 * Preact is bundled. S3 Drop never renders raw HTML, so that one assignment
 * becomes a throw: the linter has nothing to flag, and any future use fails
 * loudly instead of quietly injecting markup. The build fails if a Preact
 * upgrade changes the code this expects.
 */
function preactWithoutInnerHtml(): Plugin {
  const preactCore = /[\\/]node_modules[\\/]preact[\\/]dist[\\/]preact\.(?:module\.js|mjs|js)$/;
  const assignment = /[\w$]+\.innerHTML=[\w$]+\.__html/g;
  return {
    name: 's3-drop:preact-without-inner-html',
    transform(code, id) {
      if (!preactCore.test(id.replace(/\?.*/, ''))) return null;
      const found = code.match(assignment)?.length ?? 0;
      if (found !== 1) this.error(`expected one innerHTML assignment in ${id}, found ${found}: update this plugin for the new Preact`);
      return {
        code: code.replace(assignment, '(()=>{throw new Error("S3 Drop does not support dangerouslySetInnerHTML")})()'),
        map: null,
      };
    },
  };
}

/**
 * Parts of the S3 client S3 Drop never uses, which S3Client still bundles
 * because its config names them as defaults (measured, gzip -9, background):
 * - SHA-1 (~0.9 kB): flexible checksums, which are off (`WHEN_REQUIRED`, and
 *   none of the commands used requires one). MD5 stays (~0.6 kB): a join whose
 *   answer was lost is confirmed by the object's multipart ETag, the MD5 of
 *   the parts' MD5s (src/s3/complete-check.ts; WebCrypto has no MD5).
 * - Adaptive retry (~0.9 kB): the client asks for `retryMode: 'standard'`.
 * - The `x-amz-user-agent` header (~1.5 kB): AWS telemetry (SDK version,
 *   platform); no S3 server needs it, and one header fewer in each preflight.
 * Each stand-in throws if it is ever reached. The build fails if an SDK
 * upgrade changes the code this expects: update the table then.
 */
function sdkWithoutUnusedFeatures(): Plugin {
  const never = (what: string) => `(class { constructor() { throw new Error("S3 Drop is built without ${what}"); } })`;
  const edits: { file: RegExp; from: string; to: string }[] = [
    {
      file: /[\\/]@aws-sdk[\\/]client-s3[\\/]dist-es[\\/]runtimeConfig\.shared\.js$/,
      from: 'sha1: config?.sha1 ?? Sha1,',
      to: `sha1: config?.sha1 ?? ${never('SHA-1 checksums')},`,
    },
    {
      file: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]retry[\\/]middleware-retry[\\/]configurations\.js$/,
      from: 'import { AdaptiveRetryStrategy } from "../util-retry/AdaptiveRetryStrategy";',
      to: `const AdaptiveRetryStrategy = ${never('adaptive retry')};`,
    },
    {
      file: /[\\/]@aws-sdk[\\/]client-s3[\\/]dist-es[\\/]S3Client\.js$/,
      from: 'this.middlewareStack.use(getUserAgentPlugin(this.config));',
      to: '',
    },
    {
      file: /[\\/]@aws-sdk[\\/]client-s3[\\/]dist-es[\\/]runtimeConfig\.browser\.js$/,
      from: 'createDefaultUserAgentProvider({ serviceId: clientSharedValues.serviceId, clientVersion: packageInfo.version })',
      to: 'undefined',
    },
  ];
  const files = new Set<string>();
  const applied = new Set<number>();
  return {
    name: 's3-drop:sdk-without-unused-features',
    enforce: 'pre',
    transform(code, id) {
      const path = id.replace(/\?.*/, '');
      let out = code;
      edits.forEach((edit, i) => {
        if (!edit.file.test(path)) return;
        files.add(path);
        if (!out.includes(edit.from)) this.error(`expected \`${edit.from}\` in ${path}: update this plugin for the new SDK`);
        out = out.replace(edit.from, edit.to);
        applied.add(i);
      });
      return out === code ? null : { code: out, map: null };
    },
    buildEnd(error) {
      // Only where the S3 client is bundled at all (the background); there, every edit must have applied.
      if (error || !files.size) return;
      const missed = edits.filter((_, i) => !applied.has(i)).map((e) => e.from);
      if (missed.length) this.error(`SDK code not found (update this plugin for the new SDK): ${missed.join(' | ')}`);
    },
  };
}


/**
 * The popup is the one page users wait on, so it is built without the browser
 * polyfill (~3 KiB gzip -9 of its ~19): everything it calls (permissions,
 * tabs, runtime.connect, openOptionsPage) is promise-based natively in Chrome
 * MV3 and Firefox, and `wxt/browser` without the polyfill is `browser` in
 * Firefox and `chrome` in Chrome. The other contexts keep the polyfill.
 */
function popupWithoutPolyfill(): Plugin {
  const native = fileURLToPath(new URL('./node_modules/@wxt-dev/browser/src/index.mjs', import.meta.url));
  let popupBuild = false;
  return {
    name: 's3-drop:popup-without-polyfill',
    enforce: 'pre',
    options(options) {
      const input = options.input;
      const entries = typeof input === 'string' ? [input] : Array.isArray(input) ? input : Object.values(input ?? {});
      popupBuild = entries.length === 1 && /[\\/]popup[\\/]index\.html$/.test(entries[0]!);
      return null;
    },
    resolveId(source) {
      return popupBuild && source === '@wxt-dev/webextension-polyfill/browser' ? native : null;
    },
  };
}

export default defineConfig({
  hooks: {
    // WXT builds all HTML pages together, so modules the popup shares with the options and history
    // pages land in shared chunks holding everything any of those pages uses: the popup then loaded
    // options-only code (key templates, profile validation, history formatting). Its own build is
    // tree-shaken for the popup alone and is one file (measured: 23.1 → 18.5 kB gzip -9).
    'entrypoints:grouped': (_wxt, groups) => {
      for (const group of groups) {
        if (!Array.isArray(group) || group.length < 2) continue;
        const at = group.findIndex((entry) => entry.type === 'popup');
        if (at >= 0) groups.push(group.splice(at, 1));
      }
    },
    // Every user-visible string lives in src/i18n/en.ts; the browser reads it as _locales/en/messages.json.
    'build:publicAssets': (_wxt, files) => {
      files.push({ relativeDest: '_locales/en/messages.json', contents: toMessagesJson(en) });
    },
  },
  srcDir: '.',
  entrypointsDir: 'entrypoints',
  publicDir: 'public',
  modules: ['@wxt-dev/webextension-polyfill'],
  zip: {
    // The Firefox sources zip is what AMO reviewers rebuild from (`npm ci && npm run build:firefox`):
    // only the build's inputs, so no tests, bench, docs, logs or stray local files (WXT's own
    // exclusions are a deny-list over the whole project folder).
    excludeSources: ['**'],
    includeSources: ['package.json', 'package-lock.json', 'README.md', 'tsconfig.json', 'wxt.config.ts', 'entrypoints/**', 'src/**', 'public/**'],
  },
  vite: () => ({
    plugins: [
      sdkXmlParserWithoutDom(),
      sdkWithoutUnusedFeatures(),
      preactWithoutInnerHtml(),
      popupWithoutPolyfill(),
      preact(),
      {
        // S3's only event-stream operation is SelectObjectContent, which S3 Drop
        // never calls, yet S3Client pulls the whole event-stream codec into the
        // background (~4.4 kB gzipped). Resolve it to a stand-in that keeps the
        // client's config shape and throws if an event stream is ever used.
        name: 's3-drop:sdk-without-event-streams',
        enforce: 'pre',
        resolveId: (source: string) => (source === '@smithy/core/event-streams' ? '\0s3-drop:no-event-streams' : null),
        load: (id: string) =>
          id === '\0s3-drop:no-event-streams'
            ? `const unused = () => { throw new Error('S3 Drop is built without S3 event streams (SelectObjectContent).'); };
export const eventStreamSerdeProvider = () => ({ serialize: unused, deserialize: unused });
export const resolveEventStreamSerdeConfig = (input) => Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });
export class EventStreamSerde { constructor() { unused(); } }`
            : null,
      } satisfies Plugin,
    ],
    build: {
      sourcemap: false,
      // Extension pages run in Chrome ≥ 66 and Firefox ≥ 115, which preload modules themselves.
      modulePreload: { polyfill: false },
    },
  }),
  manifest: ({ browser, manifestVersion }) => {
    // Each bucket endpoint is asked for when the user saves it, never up front.
    const anyHttpOrigin = ['https://*/*', 'http://*/*'];
    return {
      name: '__MSG_ext_name__',
      description: '__MSG_ext_description__',
      default_locale: 'en',
      // Each one is justified in the README's permissions table.
      permissions: [
        'storage',
        'clipboardWrite',
        'contextMenus',
        'notifications',
        'activeTab',
        'scripting',
        'alarms',
        // Four full histories (5 000 entries each) pass Chrome's 10 MiB storage.local quota, which profiles and
        // secrets share; measured in test/unit/history-storage.test.ts. No install prompt in Chrome or Firefox.
        'unlimitedStorage',
        ...(browser === 'firefox' ? [] : ['offscreen']),
      ],
      commands: {
        'save-screenshot': {
          suggested_key: { default: 'Alt+Shift+S' },
          description: '__MSG_command_saveScreenshot__',
        },
        // Chrome takes at most four suggested keys; this is the third.
        'save-full-page': {
          suggested_key: { default: 'Alt+Shift+F' },
          description: '__MSG_command_saveFullPage__',
        },
        // The fourth and last suggested key Chrome takes.
        'save-region': {
          suggested_key: { default: 'Alt+Shift+R' },
          description: '__MSG_command_saveRegion__',
        },
        [manifestVersion === 3 ? '_execute_action' : '_execute_browser_action']: {
          suggested_key: { default: 'Alt+Shift+U' },
          description: '__MSG_command_openPopup__',
        },
      },
      ...(manifestVersion === 3
        ? { optional_host_permissions: anyHttpOrigin }
        : { optional_permissions: anyHttpOrigin }),
      action: { default_title: '__MSG_ext_actionTitle__' },
      // No inline or remote script, no eval, no plugins, no <base>, no form posts, never framed.
      // img-src, connect-src and style-src stay open: thumbnails and uploads go to any S3 endpoint.
      // WXT writes the string form for Firefox's MV2 manifest.
      content_security_policy: {
        // 'wasm-unsafe-eval' lets the upload runner compile the WebAssembly MD5 it ships (src/upload/md5-wasm.ts);
        // it allows no eval of script and no remote code.
        extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      },
      ...(browser === 'firefox'
        ? {
            browser_specific_settings: {
              gecko: {
                id: 's3-drop@s3drop.dev',
                strict_min_version: '142.0',
                data_collection_permissions: { required: ['none'] },
              },
            },
          }
        : {}),
    };
  },
});
