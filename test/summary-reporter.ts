import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export interface SummaryReporterOptions {
  /** Also write the counts as JSON here (the engine suite's runner prints its last line from it). */
  resultFile?: string;
}

export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * Ends the run with a plain `tests: N passed, N failed` line, which CI reads (vitest's own summary
 * is coloured and spread over several lines).
 */
export default class SummaryReporter implements Reporter {
  constructor(private readonly options: SummaryReporterOptions = {}) {}

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown> = []): void {
    const counts: TestCounts = { passed: 0, failed: 0, skipped: 0 };
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
      if (testModule.state() === 'failed' && testModule.children.size === 0) counts.failed++;
    }
    // An error outside any test (a failed global setup, an unhandled rejection) fails the run.
    counts.failed += unhandledErrors.length;
    console.log(`\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
    if (this.options.resultFile !== undefined) {
      mkdirSync(dirname(this.options.resultFile), { recursive: true });
      writeFileSync(this.options.resultFile, JSON.stringify(counts));
    }
  }
}
