import { runSummaryCycle } from '../../../../lambdas/aggregator/cycle';
import type { EventIndex } from '../../../../lambdas/aggregator/ports';
import { type SummaryJson, toSummaryJson } from '../../../../lambdas/aggregator/summary';
import { LocalDatabase } from '../../../../local/duckdb/database';
import { DuckDbEventIndex } from '../../../../local/event-index/duckdb-event-index';
import { MemorySummaryStore } from './memory-summary-store';
import { SCENARIO_NOW, SCENARIO_SETTINGS, type Scenario } from './scenarios';

/** The summaries one cycle at the scenario's clock stores, reading `eventIndex`. */
export async function scenarioSummaries(eventIndex: EventIndex, scenario: Scenario): Promise<SummaryJson[]> {
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
 * The scenario's summaries from the DuckDB index as the local pipeline uses it (one aggregation
 * per page of advertisers), or `perAdvertiser`: seen only through EventIndex, so the core sends
 * one request per advertiser.
 */
export async function duckDbScenarioSummaries(
  scenario: Scenario,
  perAdvertiser = false,
): Promise<SummaryJson[]> {
  const db = await LocalDatabase.open();
  try {
    const index = await DuckDbEventIndex.open(db);
    await index.indexEvents(scenario.events);
    const eventIndex: EventIndex = perAdvertiser
      ? {
          listActiveAdvertisers: (range, page) => index.listActiveAdvertisers(range, page),
          aggregateAdvertiser: (request) => index.aggregateAdvertiser(request),
        }
      : index;
    return await scenarioSummaries(eventIndex, scenario);
  } finally {
    await db.close();
  }
}
