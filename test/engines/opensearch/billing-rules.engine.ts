import { Client } from '@opensearch-project/opensearch';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenSearchEventIndex } from '../../../lambdas/aggregator/opensearch/event-index';
import { expectBillingRules, randomEventSets } from '../../lambdas/aggregator/support/billing-rules';
import {
  duckDbScenarioSummaries,
  scenarioSummaries,
} from '../../lambdas/aggregator/support/scenario-summaries';
import type { Scenario } from '../../lambdas/aggregator/support/scenarios';
import { engineUrl } from '../engine-url';
import { freshIndexSetup, indexEvents, nodeHttp } from './support/node';

// The billing rules of the summaries on a real OpenSearch 2.19 node, for random event sets loaded
// through Firehose's bulk path: billable counts exclude bots, amounts are summed per currency only,
// conversions_per_click = conversions / clicks; and DuckDB gives identical summaries.
// (test/local/event-index/billing-rules.test.ts holds DuckDB to the same rules in `npm test`.)
const url = engineUrl('opensearch');
const http = nodeHttp(url);
let client: Client;

beforeAll(() => {
  client = new Client({ node: url });
});
afterAll(async () => {
  await client.close();
});

describe('OpenSearch event index summaries, for any set of events', () => {
  it('exclude bots from billable counts, keep amounts per currency, and equal DuckDB', async () => {
    await fc.assert(
      fc.asyncProperty(randomEventSets, async (events) => {
        const scenario: Scenario = {
          id: 'random',
          title: 'random events',
          events,
          expected: [],
          pageSize: 1000,
        };
        await freshIndexSetup(http);
        await indexEvents(http, events);

        const summaries = await scenarioSummaries(new OpenSearchEventIndex(client), scenario);

        expectBillingRules(events, summaries);
        expect(summaries).toEqual(await duckDbScenarioSummaries(scenario));
      }),
      // Each run re-creates the indices on the node (about a second); 25 runs cover every rule.
      { numRuns: 25 },
    );
  });
});
