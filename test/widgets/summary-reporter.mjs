// Counts tests across every browser session and writes them as JSON for test/run-widgets.sh,
// because web-test-runner prints no plain "N passed, N failed" line CI can read.
import { writeFileSync } from 'node:fs';

function walk(suite, counts) {
  if (!suite) return;
  for (const test of suite.tests ?? []) {
    if (test.skipped) counts.skipped += 1;
    else if (test.passed) counts.passed += 1;
    else counts.failed += 1;
  }
  for (const child of suite.suites ?? []) walk(child, counts);
}

export function summaryReporter({ file }) {
  return {
    onTestRunFinished({ sessions }) {
      const counts = { passed: 0, failed: 0, skipped: 0 };
      for (const session of sessions) {
        const before = { ...counts };
        walk(session.testResults, counts);
        const ran = counts.passed + counts.failed + counts.skipped - (before.passed + before.failed + before.skipped);
        const newFailures = counts.failed - before.failed;
        // A file that failed to load, or broke outside a test, counts as one failure.
        if ((!session.passed || (session.errors ?? []).length > 0) && (ran === 0 || newFailures === 0)) {
          counts.failed += 1;
        }
      }
      if (file) writeFileSync(file, JSON.stringify(counts));
    },
  };
}
