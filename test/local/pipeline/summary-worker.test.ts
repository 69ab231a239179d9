import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../contract';
import { LocalDatabase } from '../../../local/duckdb/database';
import { DuckDbEventIndex } from '../../../local/event-index/duckdb-event-index';
import type { RefreshableEventIndex } from '../../../local/event-index/local-event-index';
import { SummaryWorker, type TouchedWindows, touch } from '../../../local/pipeline/summary-worker';
import { windowAggregate } from '../../lambdas/aggregator/support/builders';
import { MemorySummaryStore } from '../../lambdas/aggregator/support/memory-summary-store';

const NOW = Date.parse('2026-11-22T12:07:00.000Z');
const HORIZON_MINUTES = 60;

let db: LocalDatabase;
let index: DuckDbEventIndex;
let store: MemorySummaryStore;
let worker: SummaryWorker;
beforeEach(async () => {
  db = await LocalDatabase.open();
  index = await DuckDbEventIndex.open(db);
  store = new MemorySummaryStore();
  worker = new SummaryWorker({
    eventIndex: index,
    summaryStore: store,
    intervalSeconds: 0,
    latenessHorizonMinutes: HORIZON_MINUTES,
    clock: () => NOW,
  });
});
afterEach(async () => {
  await worker.stop();
  db.close();
});

function impression(id: string, advertiserId: string, hhmm: string): StoredEvent {
  return {
    event_id: id,
    event_type: 'impression',
    advertiser_id: advertiserId,
    event_time: `2026-11-22T${hhmm}:00.000Z`,
    received_at: '2026-11-22T12:05:00.000Z',
  };
}

const windowsOf = (advertiserId: string) =>
  store
    .all()
    .filter((s) => s.advertiserId === advertiserId)
    .map((s) => [new Date(s.windowStart).toISOString().slice(11, 16), s.impressions, s.lateEvents, s.final]);

describe('SummaryWorker.backfill', () => {
  it('writes every window from each advertiser’s earliest touched event, past the horizon as final', async () => {
    const events = [
      impression('e1', 'a', '03:10'),
      impression('e2', 'a', '12:01'),
      impression('e3', 'b', '09:20'),
      impression('e4', 'b', '12:02'),
    ];
    await index.indexEvents(events);
    const touched: TouchedWindows = new Map();
    touch(touched, events);

    const outcome = await worker.backfill(touched);

    expect(outcome).toEqual({ advertisers: 2, windowsWritten: 4 });
    // Every event arrived at 12:05, so those whose window was final by then count late at 12:00.
    expect(windowsOf('a')).toEqual([
      ['03:00', 1, 0, true],
      ['12:00', 1, 1, false],
    ]);
    expect(windowsOf('b')).toEqual([
      ['09:15', 1, 0, true],
      ['12:00', 1, 1, false],
    ]);
  });

  it('leaves windows before the earliest touched event to the scheduled runs', async () => {
    await index.indexEvents([impression('e1', 'a', '03:10'), impression('e2', 'a', '09:20')]);

    await worker.backfill(new Map([['a', Date.parse('2026-11-22T09:20:00.000Z')]]));

    expect(windowsOf('a')).toEqual([
      ['09:15', 1, 0, true],
      ['12:00', 0, 2, false],
    ]);
  });
});

describe('SummaryWorker.runNow', () => {
  it('recomputes only the windows within the lateness horizon', async () => {
    await index.indexEvents([impression('e1', 'a', '03:10'), impression('e2', 'a', '12:01')]);

    await worker.runNow();

    expect(windowsOf('a')).toEqual([['12:00', 1, 1, false]]);
  });
});

describe('SummaryWorker on an index read one advertiser per request (OpenSearch)', () => {
  it('refreshes the index before each run, then asks it once per advertiser', async () => {
    const calls: string[] = [];
    const window = Date.parse('2026-11-22T12:00:00.000Z');
    const oneAdvertiserAtATime: RefreshableEventIndex = {
      refresh: async () => {
        calls.push('refresh');
      },
      listActiveAdvertisers: async () => ({ advertiserIds: ['a', 'b'] }),
      aggregateAdvertiser: async (request) => {
        calls.push(`aggregate ${request.advertiserId}`);
        return {
          windows: [windowAggregate(window, { events: 1, impressions: 1 })],
          lateArrivals: [],
        };
      },
    };
    const summaries = new MemorySummaryStore();
    const opensearchWorker = new SummaryWorker({
      eventIndex: oneAdvertiserAtATime,
      summaryStore: summaries,
      intervalSeconds: 0,
      latenessHorizonMinutes: HORIZON_MINUTES,
      clock: () => NOW,
    });

    await opensearchWorker.runNow();
    await opensearchWorker.backfill(new Map([['a', window]]));

    expect(calls).toEqual(['refresh', 'aggregate a', 'aggregate b', 'refresh', 'aggregate a']);
    expect(summaries.all().map((s) => [s.advertiserId, s.impressions])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
  });
});
