import { Client } from '@opensearch-project/opensearch';
import { OpenSearchEventIndex } from '../../../../lambdas/aggregator/opensearch/event-index';
import type { SummaryJson } from '../../../../lambdas/aggregator/summary';
import {
  fixtureKeyOf,
  type ScenarioFixture,
} from '../../../lambdas/aggregator/support/opensearch-fixture-server';
import { scenarioSummaries } from '../../../lambdas/aggregator/support/scenario-summaries';
import type { Scenario } from '../../../lambdas/aggregator/support/scenarios';
import { freshIndexSetup, indexEvents, nodeHttp } from './node';

export interface RecordedScenario {
  /** What the node answered to each of the adapter's searches, as OpenSearchFixtureServer reads it. */
  readonly fixture: ScenarioFixture;
  /** What a summary cycle over the node stored. */
  readonly summaries: SummaryJson[];
}

/** `took` is the only part of an answer that varies between runs over the same documents. */
function normalised(body: unknown): unknown {
  return typeof body === 'object' && body !== null && 'took' in body ? { ...body, took: 0 } : body;
}

/**
 * Loads a scenario into an emptied node through the Firehose path (incoming-* and the routing
 * pipeline), runs one summary cycle through the Lambdas' adapter, and keeps each search answer
 * under the fixture key its request maps to.
 */
export async function recordScenario(url: string, scenario: Scenario): Promise<RecordedScenario> {
  const http = nodeHttp(url);
  await freshIndexSetup(http);
  await indexEvents(http, scenario.events);

  const fixture: ScenarioFixture = { advertiser_pages: [], advertisers: {} };
  const client = new Client({ node: url });
  client.on('response', (error, response) => {
    if (error !== null) return;
    const sent = response.meta.request.params.body;
    const key = fixtureKeyOf(typeof sent === 'string' ? JSON.parse(sent) : (sent ?? {}));
    if (key === undefined) throw new Error(`unexpected request ${String(sent)}`);
    if ('advertiser' in key) fixture.advertisers[key.advertiser] = normalised(response.body);
    else fixture.advertiser_pages.push(normalised(response.body));
  });
  try {
    const summaries = await scenarioSummaries(new OpenSearchEventIndex(client), scenario);
    return { fixture, summaries };
  } finally {
    await client.close();
  }
}
