import { beforeAll, describe, expect, it } from 'vitest';
import { UNIQUE_USERS_PRECISION_THRESHOLD } from '../../../lambdas/aggregator/opensearch/requests';
import { loadFixture } from '../../lambdas/aggregator/support/opensearch-fixture-server';
import { duckDbScenarioSummaries } from '../../lambdas/aggregator/support/scenario-summaries';
import { SCENARIOS } from '../../lambdas/aggregator/support/scenarios';
import { engineUrl } from '../engine-url';
import { type RecordedScenario, recordScenario } from './support/fixture-recorder';

// The shared summary scenarios on a real OpenSearch 2.19 node, events loaded through Firehose's
// bulk path (incoming-* and the routing pipeline), against DuckDB and against the committed
// response fixtures that `npm test` replays.
const url = engineUrl('opensearch');

describe.each(SCENARIOS)('scenario $id on OpenSearch 2.19: $title', (scenario) => {
  let recorded: RecordedScenario;

  beforeAll(async () => {
    recorded = await recordScenario(url, scenario);
  });

  it('yields the expected summaries', () => {
    expect(recorded.summaries).toEqual(scenario.expected);
  });

  it('yields the same summaries as the DuckDB event index', async () => {
    const duckDb = await duckDbScenarioSummaries(scenario);

    // Exact, unique users included: every count here is far below the precision threshold, where
    // OpenSearch's cardinality aggregation counts exactly (up to hash collisions).
    expect(Math.max(...duckDb.map((s) => s.unique_users))).toBeLessThan(UNIQUE_USERS_PRECISION_THRESHOLD);
    expect(recorded.summaries).toEqual(duckDb);
  });

  it('answers what the committed fixture holds (else re-record: test/engines/opensearch/record-fixtures.ts)', () => {
    expect(recorded.fixture).toEqual(loadFixture(scenario.id));
  });
});
