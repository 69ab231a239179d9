import { afterEach, describe, expect, it } from 'vitest';
import { OpenSearchEventIndex } from '../../../lambdas/aggregator/opensearch/event-index';
import type { SummaryJson } from '../../../lambdas/aggregator/summary';
import { loadFixture, OpenSearchFixtureServer } from './support/opensearch-fixture-server';
import { duckDbScenarioSummaries, scenarioSummaries } from './support/scenario-summaries';
import { SCENARIOS, type Scenario } from './support/scenarios';

const servers: OpenSearchFixtureServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

// The responses a real OpenSearch 2.19 node gave (test/fixtures/opensearch, recorded by
// test/engines/opensearch/record-fixtures.ts); the engine suite runs the same scenarios on the node.
async function openSearchSummaries(scenario: Scenario): Promise<SummaryJson[]> {
  const server = await OpenSearchFixtureServer.start(loadFixture(scenario.id));
  servers.push(server);
  return scenarioSummaries(new OpenSearchEventIndex(server.client), scenario);
}

describe.each(SCENARIOS)('scenario $id: $title', (scenario) => {
  it('DuckDB event index yields the expected summaries', async () => {
    const summaries = await duckDbScenarioSummaries(scenario);

    expect(summaries).toEqual(scenario.expected);
  });

  it('DuckDB event index, one request per advertiser, yields the expected summaries', async () => {
    const summaries = await duckDbScenarioSummaries(scenario, true);

    expect(summaries).toEqual(scenario.expected);
  });

  it('OpenSearch event index (recorded responses) yields the expected summaries', async () => {
    const summaries = await openSearchSummaries(scenario);

    expect(summaries).toEqual(scenario.expected);
  });

  it('both event indices yield identical summaries', async () => {
    const [local, aws] = await Promise.all([
      duckDbScenarioSummaries(scenario),
      openSearchSummaries(scenario),
    ]);

    expect(aws).toEqual(local);
  });
});
