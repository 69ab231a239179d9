import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { StoredEvent } from '../../../contract';
import { expectBillingRules, randomEventSets } from '../../lambdas/aggregator/support/billing-rules';
import { duckDbScenarioSummaries } from '../../lambdas/aggregator/support/scenario-summaries';
import type { Scenario } from '../../lambdas/aggregator/support/scenarios';

const scenarioOf = (events: StoredEvent[]): Scenario => ({
  id: 'random',
  title: 'random events',
  events,
  expected: [],
  pageSize: 1000,
});

// The OpenSearch adapter is held to the same rules on a real node: test/engines/opensearch/billing-rules.engine.ts.
describe('DuckDB event index summaries, for any set of events', () => {
  it.each([
    ['one aggregation for many advertisers', false],
    ['one aggregation per advertiser', true],
  ])(
    '%s: billable counts exclude bots, amounts are per currency, conversions_per_click = conversions / clicks',
    async (_how, perAdvertiser) => {
      await fc.assert(
        fc.asyncProperty(randomEventSets, async (events) => {
          expectBillingRules(events, await duckDbScenarioSummaries(scenarioOf(events), perAdvertiser));
        }),
        { numRuns: 40 },
      );
    },
  );
});
