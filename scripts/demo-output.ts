/**
 * What `npm run demo` prints, kept to what a new user needs: where S3 runs,
 * the link, the check. Plain Node, no browser: unit-tested in
 * test/unit/demo-output.test.ts.
 */
import type { Logger } from 'wxt';

/**
 * The AWS SDK's own switch for its Node version notice (the maintainers'
 * announcement, aws-sdk-js-v3 issue 7983). The SDK reads it when a client is
 * made, so it must be set before the demo's first S3 client.
 */
export const SDK_NODE_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/** The Node major that SDK releases after early January 2027 require (the SDK's own threshold). */
const SDK_NEXT_NODE_MAJOR = 22;

/**
 * On a Node older than the SDK's next minimum, the SDK prints a ten-line
 * warning that this demo cannot act on: the pinned SDK runs on Node 20.
 * Turns that one warning off through the SDK's switch (every other warning
 * still shows) and returns the one line to print in its place. Returns
 * nothing when there is nothing to say: a new enough Node, or a user who set
 * the switch themselves.
 */
export function quietSdkNodeNotice(nodeVersion: string, env: NodeJS.ProcessEnv): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(nodeVersion)?.[1]);
  if (!(major < SDK_NEXT_NODE_MAJOR) || env[SDK_NODE_WARNING_SWITCH] !== undefined) return undefined;
  env[SDK_NODE_WARNING_SWITCH] = 'true';
  return `Note: Node ${nodeVersion} runs this demo and the AWS SDK it pins; SDK releases after early January 2027 will need Node ${SDK_NEXT_NODE_MAJOR} or newer.`;
}

/**
 * A logger for WXT's programmatic build that drops its progress and per-file
 * list but passes on warnings and errors: a failed build must still say why.
 */
export function quietBuildLogger(sink: Pick<Console, 'warn' | 'error'>): Logger {
  const drop = () => {};
  return {
    debug: drop,
    log: drop,
    info: drop,
    success: drop,
    warn: (...args: unknown[]) => sink.warn(...args),
    error: (...args: unknown[]) => sink.error(...args),
    fatal: (...args: unknown[]) => sink.error(...args),
    // consola's "warn" level: WXT itself raises it to debug only for --debug.
    level: 1,
  };
}
