import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenSearchEventIndex } from '../../../../lambdas/aggregator/opensearch/event-index';
import { IncompleteSearchError } from '../../../../lambdas/aggregator/opensearch/responses';
import { TOP_CAMPAIGNS } from '../../../../lambdas/aggregator/summarize';
import { planRun } from '../../../../lambdas/aggregator/windows';
import {
  loadFixture,
  OpenSearchFixtureServer,
  type ScenarioFixture,
} from '../support/opensearch-fixture-server';
import { SCENARIO_NOW, SCENARIO_SETTINGS } from '../support/scenarios';

const plan = planRun(SCENARIO_NOW, SCENARIO_SETTINGS);
const servers: OpenSearchFixtureServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

async function indexOver(fixture: ScenarioFixture) {
  const server = await OpenSearchFixtureServer.start(fixture);
  servers.push(server);
  return { server, index: new OpenSearchEventIndex(server.client) };
}

function requestFixture(name: string): unknown {
  return JSON.parse(
    readFileSync(new URL(`../../../fixtures/opensearch/requests/${name}.json`, import.meta.url), 'utf8'),
  );
}

describe('OpenSearchEventIndex requests', () => {
  it('lists advertisers with a composite aggregation over events-*', async () => {
    const { server, index } = await indexOver(loadFixture('late-events'));

    await index.listActiveAdvertisers(plan.windows, { size: 1000 });

    expect(server.requests).toEqual([
      { method: 'POST', path: '/events-*/_search', body: requestFixture('late-events-list-advertisers') },
    ]);
  });

  it('aggregates one advertiser in a single request', async () => {
    const { server, index } = await indexOver(loadFixture('late-events'));

    await index.aggregateAdvertiser({
      advertiserId: 'late',
      windows: plan.windows,
      horizonMs: plan.horizonMs,
      topCampaigns: TOP_CAMPAIGNS,
    });

    expect(server.requests).toEqual([
      { method: 'POST', path: '/events-*/_search', body: requestFixture('late-events-aggregate-late') },
    ]);
  });

  it('follows after_key from page to page and stops after a short page', async () => {
    const { server, index } = await indexOver(loadFixture('many-advertisers'));

    const first = await index.listActiveAdvertisers(plan.windows, { size: 3 });
    const second = await index.listActiveAdvertisers(plan.windows, { size: 3, after: first.next });
    const third = await index.listActiveAdvertisers(plan.windows, { size: 3, after: second.next });

    expect([first, second, third]).toEqual([
      { advertiserIds: ['m1', 'm2', 'm3'], next: 'm3' },
      { advertiserIds: ['m4', 'm5', 'm6'], next: 'm6' },
      { advertiserIds: ['m7'] },
    ]);
    const afterKeys = server.requests.map(
      (r) =>
        (r.body as { aggs: { advertisers: { composite: { after?: unknown } } } }).aggs.advertisers.composite
          .after,
    );
    expect(afterKeys).toEqual([undefined, { advertiser_id: 'm3' }, { advertiser_id: 'm6' }]);
  });
});

describe('OpenSearchEventIndex refuses incomplete results', () => {
  const complete = loadFixture('late-events');
  const lateResponse = complete.advertisers.late as Record<string, unknown>;

  it.each([
    ['a timed-out search', { ...lateResponse, timed_out: true }, /timed out/],
    [
      'failed shards',
      { ...lateResponse, _shards: { total: 4, successful: 3, skipped: 0, failed: 1 } },
      /failed on 1 of 4 shards/,
    ],
    ['a response without aggregations', { ...lateResponse, aggregations: undefined }, /no aggregations/],
  ])('throws on %s', async (_name, response, message) => {
    const { index } = await indexOver({ ...complete, advertisers: { late: response } });

    const aggregation = index.aggregateAdvertiser({
      advertiserId: 'late',
      windows: plan.windows,
      horizonMs: plan.horizonMs,
      topCampaigns: TOP_CAMPAIGNS,
    });

    await expect(aggregation).rejects.toThrow(IncompleteSearchError);
    await expect(aggregation).rejects.toThrow(message);
  });
});
