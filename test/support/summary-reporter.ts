import type { Reporter, SerializedError, TestModule, TestRunEndReason } from 'vitest/node';

/**
 * Prints one plain closing line, "N passed, N failed, N skipped", that any CI
 * reader understands whatever the test runner. A failure outside any test —
 * a file that does not load, a failing `beforeAll`/`afterAll`, an unhandled
 * error — counts as failed too, and the line says how many of those there
 * were: otherwise a run that exits 1 could end on "0 failed".
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    let passed = 0;
    let failedTests = 0;
    let skipped = 0;
    // Errors that belong to no test: a module that failed to collect or whose top-level hooks threw,
    // a suite whose hooks threw, and errors nothing caught.
    let outside = unhandledErrors.length;
    for (const mod of modules) {
      outside += mod.errors().length;
      for (const suite of mod.children.allSuites()) outside += suite.errors().length;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedTests++;
        else skipped++;
      }
    }
    // Vitest knows of a failure this count missed (no test files, a type error…): never print a clean line.
    if (reason === 'failed' && failedTests + outside === 0) outside = 1;
    const failed = failedTests + outside;
    const where = outside ? ` (${outside} outside any test: a file that did not load, a failing hook or an unhandled error)` : '';
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed${where}, ${skipped} skipped\n`);
  }
}
