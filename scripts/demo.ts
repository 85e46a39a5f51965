/**
 * `npm run demo`: builds the extension, then runs it in Debian's Chromium
 * against an embedded S3 (s3rver) on loopback, with a demo profile entered
 * through the options page.
 *
 * With a display it leaves the popup open for a person to try. Without one
 * (CI, or no DISPLAY) it uploads a sample file through the real popup, prints
 * the share link, downloads it and checks the bytes.
 */
// Node has no i18n.getMessage: sentences from src/ come from the English catalog.
import '../src/i18n/english';
import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { build } from 'wxt';
import { quietBuildLogger, quietSdkNodeNotice } from './demo-output';
import { launchExtension, PopupPage, RELEASE_BUILD_DIR, saveKeysProfile } from '../test/support/extension';
import { startS3rver } from '../test/support/s3-servers';

const BUCKET = 'demo';
const headed = Boolean(process.env.DISPLAY) && !process.env.CI && !process.argv.includes('--headless');

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function main(): Promise<number> {
  // Before the first S3 client (startS3rver makes one): the SDK checks the Node version then.
  const notice = quietSdkNodeNotice(process.version, process.env);
  if (notice) console.log(notice);

  // The release build a user installs; WXT's per-file list is noise here, its warnings and errors are not.
  await build({ logger: quietBuildLogger(console) });
  console.log(`Built the extension into ${relative(process.cwd(), RELEASE_BUILD_DIR)}.`);

  const s3 = await startS3rver({ buckets: [BUCKET] });
  console.log(`Embedded S3 (s3rver) at ${s3.endpoint}, bucket "${BUCKET}".`);
  const ext = await launchExtension({ hostOrigins: [`${s3.endpoint}/*`], headed, buildDir: RELEASE_BUILD_DIR });
  const stop = async () => {
    await ext.close();
    await s3.stop();
  };
  try {
    await saveKeysProfile(ext, s3, BUCKET);
    console.log('Demo profile saved through the options page.');

    const popup = await PopupPage.open(ext);
    if (headed) {
      console.log('Chromium is open with S3 Drop loaded: try the popup tab. Close the browser to stop.');
      await new Promise<void>((resolve) => ext.context.on('close', () => resolve()));
      return 0;
    }

    const name = 'S3 Drop demo – sample é.txt';
    const sample = Buffer.from(`Hello from S3 Drop.\nUploaded at ${new Date().toISOString()}.\n`);
    await popup.choose([{ name, mimeType: 'text/plain', buffer: sample }]);
    const link = await popup.linkFor(name);
    const clipboard = await popup.clipboard();
    console.log(`Share link (also on the clipboard): ${link}`);
    if (clipboard !== link) throw new Error('The clipboard does not hold the share link.');

    const res = await fetch(link);
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`Downloading the link answered HTTP ${res.status}.`);
    if (sha256(body) !== sha256(sample)) throw new Error('The downloaded bytes differ from the sample file.');
    console.log(`Downloaded ${body.length} bytes through the link: identical to the sample (sha256 ${sha256(body).slice(0, 16)}…).`);
    return 0;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`Demo failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
