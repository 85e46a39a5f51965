/**
 * Start a local S3 server for manual testing and keep it up until SIGINT/SIGTERM.
 *
 *   npx tsx scripts/strict-s3.ts [--s3rver] [--bucket NAME]...
 *
 * Default is the strict lane (OpenStack Swift + s3api, real SigV4 checks);
 * --s3rver starts the lenient in-process s3rver instead. Prints one JSON line:
 *   {"kind":"swift","endpoint":"http://127.0.0.1:PORT","region":"us-east-1",
 *    "accessKeyId":"test:tester","secretAccessKey":"testing","forcePathStyle":true,"buckets":[...]}
 */
// Node has no i18n.getMessage: sentences from src/ come from the English catalog.
import '../src/i18n/english';
import { startS3rver, startSwift, type S3Server } from '../test/support/s3-servers';

function usage(code: number): never {
  (code ? console.error : console.log)('usage: npx tsx scripts/strict-s3.ts [--s3rver] [--bucket NAME]...');
  process.exit(code);
}

const argv = process.argv.slice(2);
let useS3rver = false;
const buckets: string[] = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--s3rver') useS3rver = true;
  else if (a === '--bucket') {
    const name = argv[++i];
    if (!name) usage(2);
    buckets.push(name);
  } else if (a?.startsWith('--bucket=')) buckets.push(a.slice('--bucket='.length));
  else if (a === '--help' || a === '-h') usage(0);
  else usage(2);
}

async function main(): Promise<void> {
  let server: S3Server | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!server) return; // still starting: main() stops it once start-up settles
    console.error(`${signal}: stopping ${server.kind}...`);
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  server = await (useS3rver ? startS3rver : startSwift)({ buckets });
  if (stopping) {
    // a signal arrived while starting
    await server.stop();
    process.exit(0);
  }
  const { kind, endpoint, region, accessKeyId, secretAccessKey, forcePathStyle } = server;
  console.log(JSON.stringify({ kind, endpoint, region, accessKeyId, secretAccessKey, forcePathStyle, buckets }));
  // keep the event loop alive (s3rver's server keeps it alive; Swift's children are not refed forever)
  setInterval(() => {}, 1 << 30);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
