import { join } from 'node:path';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadSavedQueries } from '../../../analytics/catalog';
import { runLocally } from '../../../analytics/local-runner';
import { findSavedQuery } from '../../../analytics/lookup';
import { parseParameterValues } from '../../../analytics/parameters';
import { PUT_RECORD_BATCH_LIMITS } from '../../../contract';
import { runSavedQueryOnTrino } from '../../../engines/trino/saved-query';
import { startLocalPipeline } from '../../../local/pipeline/local-pipeline';
import { generateTraffic } from '../../../local/traffic/generate-traffic';
import { writeFixtureLake } from '../../analytics/lake-fixture';
import { localFirehoseClient } from '../../e2e/helpers';
import { engineUrl } from '../engine-url';
import { type Approximation, disagreements, localPercentileBounds } from './result-agreement';
import { createTrinoLake, retentionSince, type TrinoLake } from './trino-lake';

// The saved queries' approximate columns; every other column must be equal.
const APPROXIMATE: Record<string, Record<string, Approximation>> = {
  advertiser_daily_rollup: { unique_visitors: 'distinct' },
  daily_unique_users: { unique_users: 'distinct' },
  property_breakdown: { unique_visitors: 'distinct' },
  late_arrivals: { p50_seconds: 'percentile', p90_seconds: 'percentile', p99_seconds: 'percentile' },
};

// A day of generated traffic on fixed dates, so that the lake, and with it every approximate
// estimate, is the same on every run: events on 2026-11-02, all arriving at 06:00 the next day.
const TRAFFIC_END = Date.parse('2026-11-03T00:00:00.000Z');
const TRAFFIC_ARRIVAL = Date.parse('2026-11-03T06:00:00.000Z');
const TRAFFIC_DAYS = ['2026-11-02', '2026-11-03'];

type LakeName = 'fixture' | 'traffic';
interface Run {
  lake: LakeName;
  query: string;
  params: string[];
}

// The fixture lake's hand-checked cases (test/queries), then a day of generated traffic.
const RUNS: Run[] = [
  ...(
    [
      ['advertiser_daily_rollup', '2026-11-01', '2026-11-02'],
      ['advertiser_daily_rollup', '2026-11-10', '2026-11-11'],
      ['ctr_by_campaign', '2026-11-01', '2026-11-02', '1'],
      ['ctr_by_campaign', '2026-11-02', '2026-11-02', '1'],
      ['ctr_by_campaign', '2026-11-10', '2026-11-11', '1'],
      ['ctr_by_campaign', '2026-11-10', '2026-11-11', '3'],
      ['daily_unique_users', '2026-11-01', '2026-11-02'],
      ['duplicate_rate', '2026-11-01', '2026-11-02'],
      ['failed_events_by_day', '2026-11-01', '2026-11-05'],
      ['funnel', '2026-11-01', '2026-11-02', '1'],
      ['funnel', '2026-11-01', '2026-11-02', '3'],
      ['funnel', '2026-11-10', '2026-11-11', '1'],
      ['revenue_by_currency', '2026-11-01', '2026-11-02'],
      ['revenue_by_currency', '2026-11-10', '2026-11-11'],
      ['hourly_traffic', '2026-11-01', '2026-11-01'],
      ['late_arrivals', '2026-11-01', '2026-11-02'],
      ['property_breakdown', '2026-11-01', '2026-11-02', 'plan'],
      ['sessions', '2026-11-01', '2026-11-02', '30'],
      ['sessions', '2026-11-01', '2026-11-01', '60'],
      ['top_pages', '2026-11-01', '2026-11-02', '2', '1'],
      ['top_pages', '2026-11-02', '2026-11-02', '1', '5'],
    ] as const
  ).map(([query, ...params]): Run => ({ lake: 'fixture', query, params })),
  ...(
    [
      ['advertiser_daily_rollup'],
      ['ctr_by_campaign', '1'],
      ['daily_unique_users'],
      ['duplicate_rate'],
      ['failed_events_by_day'],
      ['funnel', '1'],
      ['revenue_by_currency'],
      ['hourly_traffic'],
      ['late_arrivals'],
      ['property_breakdown', 'layout.variant'],
      ['sessions', '30'],
      ['top_pages', '2', '10'],
    ] as const
  ).map(([query, ...rest]): Run => ({ lake: 'traffic', query, params: [...TRAFFIC_DAYS, ...rest] })),
];

/**
 * Generated traffic (duplicates, late events and malformed lines included) through the local
 * Firehose endpoint, the real transform and the lake writer, arriving at TRAFFIC_ARRIVAL. Sent as
 * PutRecordBatch calls rather than through the tracker, which stamps sent_at with the wall clock:
 * later than the fixed arrival, so the transform would refuse every event as from the future.
 */
async function sendTraffic(dataDir: string): Promise<void> {
  const { lines } = generateTraffic({ events: 20_000, end: TRAFFIC_END });
  const pipeline = await startLocalPipeline({
    dataDir,
    summaryIntervalSeconds: 0,
    clock: () => TRAFFIC_ARRIVAL,
  });
  const client = localFirehoseClient(pipeline.endpointUrl);
  try {
    for (let i = 0; i < lines.length; i += PUT_RECORD_BATCH_LIMITS.maxRecords) {
      const batch = lines.slice(i, i + PUT_RECORD_BATCH_LIMITS.maxRecords);
      const put = await client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: pipeline.streamName,
          Records: batch.map((line) => ({ Data: Buffer.from(`${line}\n`) })),
        }),
      );
      if (put.FailedPutCount !== 0) throw new Error(`${put.FailedPutCount} records were not accepted`);
    }
    await pipeline.flush();
  } finally {
    client.destroy();
    await pipeline.close();
  }
}

describe('every saved query on Trino and on the local DuckDB runner, over the same lake', () => {
  const url = engineUrl('trino');
  const cacheDir = inject('enginesCacheDir');
  const queries = loadSavedQueries();
  const lakes = new Map<LakeName, TrinoLake>();

  beforeAll(async () => {
    lakes.set(
      'fixture',
      await createTrinoLake(
        url,
        cacheDir,
        retentionSince('2026-10-25'),
        (dataDir) => {
          writeFixtureLake(join(dataDir, 'lake'));
        },
        // Compacted on Trino up to the middle of the fixture's arrivals, so that events_exact reads
        // both its curated and its raw part; the local runner's answer must not depend on that.
        { curatedWatermark: { dt: '2026-11-02', hour: '12' } },
      ),
    );
    lakes.set('traffic', await createTrinoLake(url, cacheDir, retentionSince(TRAFFIC_DAYS[0]!), sendTraffic));
  });
  afterAll(async () => {
    for (const lake of lakes.values()) await lake.remove();
  });

  it('covers every saved query on both lakes', () => {
    const names = queries.map((q) => q.name);
    for (const lake of ['fixture', 'traffic'] as const) {
      expect(new Set(RUNS.filter((r) => r.lake === lake).map((r) => r.query))).toEqual(new Set(names));
    }
  });

  it.each(RUNS)(
    '$query $params on the $lake lake returns the same rows',
    async ({ lake, query: name, params }) => {
      const { dataDir, session } = lakes.get(lake)!;
      const query = findSavedQuery(queries, name);
      const values = parseParameterValues(query, params);

      const local = await runLocally(query, values, { dataDir });
      const trino = await runSavedQueryOnTrino(url, query, values, session);
      const approximate = APPROXIMATE[name] ?? {};
      const bounds = Object.values(approximate).includes('percentile')
        ? await localPercentileBounds(query, values, dataDir)
        : undefined;

      expect(local.rows.length).toBeGreaterThan(0);
      expect(disagreements(local, trino, approximate, bounds)).toEqual([]);
    },
  );
});
