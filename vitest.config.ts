import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

/**
 * Three lanes: unit (plain Node, WXT's fake browser where a module touches
 * extension APIs), integration (real S3 servers on loopback: s3rver and the
 * signature-checking Swift s3api), e2e (the built extension in Debian's
 * Chromium). The servers are started by the tests themselves.
 */
/**
 * The AWS SDK pinned here supports Node 20 and says, on every client made,
 * that releases after early January 2027 will need Node 22: ten lines per
 * test file. Its own documented switch turns that off for the tests (the
 * demo prints it once, in a line).
 */
const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        plugins: [WxtVitest()],
        test: {
          name: 'unit',
          env,
          sequence: { groupOrder: 0 },
          include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
          environment: 'node',
          // Node has no i18n.getMessage: sentences come from the English catalog.
          setupFiles: ['src/i18n/english.ts'],
          mockReset: true,
          restoreMocks: true,
        },
      },
      {
        test: {
          name: 'integration',
          env,
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['src/i18n/english.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          // Each file starts its own servers; two cores do not take more in parallel.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          env,
          // After the Node lanes: a browser on two cores wants the machine to itself.
          sequence: { groupOrder: 2 },
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['src/i18n/english.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
