import { compactionBench } from './compaction.bench';
import { indexGrowthBench } from './index-growth.bench';
import { lambdaPayloadBench } from './lambda-payload.bench';
import { liveBench } from './live.bench';
import { localBench } from './local.bench';
import { queriesBench } from './queries.bench';
import { summariesBench } from './summaries.bench';
import { trackerBench } from './tracker.bench';
import { transformBench } from './transform.bench';
/** A benchmark suite: measures, prints its numbers and ratios, and returns nothing (no pass/fail). */
export interface BenchSuite {
  name: string;
  run(): Promise<void>;
}

// One line per suite; each lives in its own file in this folder.
export const suites: BenchSuite[] = [
  transformBench,
  lambdaPayloadBench,
  queriesBench,
  compactionBench,
  trackerBench,
  localBench,
  liveBench,
  summariesBench,
  indexGrowthBench,
];
