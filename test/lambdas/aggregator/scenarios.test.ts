import { afterEach, describe, expect, it } from 'vitest';
import { runSummaryCycle } from '../../../lambdas/aggregator/cycle';
import { OpenSearchEventIndex } from '../../../lambdas/aggregator/opensearch/event-index';
import type { EventIndex } from '../../../lambdas/aggregator/ports';
import { type SummaryJson, toSummaryJson } from '../../../lambdas/aggregator/summary';
import { LocalDatabase } from '../../../local/duckdb/database';
import { DuckDbEventIndex } from '../../../local/event-index/duckdb-event-index';
import { MemorySummaryStore } from './support/memory-summary-store';
import { loadFixture, OpenSearchFixtureServer } from './support/opensearch-fixture-server';
import { SCENARIO_NOW, SCENARIO_SETTINGS, SCENARIOS, type Scenario } from './support/scenarios';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function summariesFrom(eventIndex: EventIndex, scenario: Scenario): Promise<SummaryJson[]> {
  const summaryStore = new MemorySummaryStore();
  await runSummaryCycle({
    eventIndex,
    summaryStore,
    clock: () => SCENARIO_NOW,
    settings: SCENARIO_SETTINGS,
    advertiserPageSize: scenario.pageSize,
  });
  return summaryStore.all().map(toSummaryJson);
}

/**
 * The DuckDB index as the local pipeline uses it (one aggregation per page of advertisers), or
 * `perAdvertiser`: seen only through EventIndex, so the core sends one request per advertiser.
 */
async function duckDbSummaries(scenario: Scenario, perAdvertiser = false): Promise<SummaryJson[]> {
  const db = await LocalDatabase.open();
  cleanups.push(() => db.close());
  const index = await DuckDbEventIndex.open(db);
  await index.indexEvents(scenario.events);
  const eventIndex: EventIndex = perAdvertiser
    ? {
        listActiveAdvertisers: (range, page) => index.listActiveAdvertisers(range, page),
        aggregateAdvertiser: (request) => index.aggregateAdvertiser(request),
      }
    : index;
  return summariesFrom(eventIndex, scenario);
}

async function openSearchSummaries(scenario: Scenario): Promise<SummaryJson[]> {
  const server = await OpenSearchFixtureServer.start(loadFixture(scenario.id));
  cleanups.push(() => server.stop());
  return summariesFrom(new OpenSearchEventIndex(server.client), scenario);
}

describe.each(SCENARIOS)('scenario $id: $title', (scenario) => {
  it('DuckDB event index yields the expected summaries', async () => {
    const summaries = await duckDbSummaries(scenario);

    expect(summaries).toEqual(scenario.expected);
  });

  it('DuckDB event index, one request per advertiser, yields the expected summaries', async () => {
    const summaries = await duckDbSummaries(scenario, true);

    expect(summaries).toEqual(scenario.expected);
  });

  it('OpenSearch event index (recorded responses) yields the expected summaries', async () => {
    const summaries = await openSearchSummaries(scenario);

    expect(summaries).toEqual(scenario.expected);
  });

  it('both event indices yield identical summaries', async () => {
    const [local, aws] = await Promise.all([duckDbSummaries(scenario), openSearchSummaries(scenario)]);

    expect(aws).toEqual(local);
  });
});
