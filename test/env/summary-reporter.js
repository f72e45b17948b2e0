// Prints one plain closing line, `jest: N passed, N failed, N skipped`, that CI tooling can read
// (jest's own summary has a different shape).
import process from 'node:process';

export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped } = results;
    process.stdout.write(`\njest: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
