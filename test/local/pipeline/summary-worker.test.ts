import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../contract';
import { LocalDatabase } from '../../../local/duckdb/database';
import { DuckDbEventIndex } from '../../../local/event-index/duckdb-event-index';
import type { RefreshableEventIndex } from '../../../local/event-index/local-event-index';
import { SummaryWorker, type TouchedWindows, touch } from '../../../local/pipeline/summary-worker';
import { UnsummarisedWindows } from '../../../local/pipeline/unsummarised-windows';
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

describe('SummaryWorker and the windows delivered since the last run', () => {
  let dir: string;
  let unsummarised: UnsummarisedWindows;
  let journalled: SummaryWorker;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'summary-worker-'));
    unsummarised = await UnsummarisedWindows.open(join(dir, 'unsummarised-windows.json'), () => undefined);
    journalled = new SummaryWorker({
      eventIndex: index,
      summaryStore: store,
      intervalSeconds: 0,
      latenessHorizonMinutes: HORIZON_MINUTES,
      clock: () => NOW,
      unsummarised,
    });
  });
  afterEach(async () => {
    await journalled.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Indexes events as delivery does: their windows recorded first. */
  async function deliver(events: StoredEvent[]): Promise<void> {
    const indexed = await unsummarised.record(journalled.windowsOf(events));
    await index.indexEvents(events);
    indexed();
  }

  const at = (hhmm: string) => `2026-11-22T${hhmm}:00.000Z`;
  const arrivedAt = (id: string, hhmm: string, received: string): StoredEvent => ({
    ...impression(id, 'a', hhmm),
    received_at: at(received),
  });

  // The horizon is 60 minutes and a run's margin 30: a run at 12:05 recomputes from 10:30.
  it.each([
    ['an event within the horizon when it arrived: its own window', '12:01', '12:05', '12:00'],
    ['an event past the horizon when it arrived: where that run began', '03:10', '12:05', '10:30'],
    ['an old event that arrived long ago: its own window', '03:10', '04:00', '03:00'],
  ])('recomputes from %s', (_, eventTime, received, from) => {
    expect(journalled.windowsOf([arrivedAt('e', eventTime, received)])).toEqual(
      new Map([['a', Date.parse(at(from))]]),
    );
  });

  it('a run also computes delivered windows the horizon no longer reaches, then forgets them', async () => {
    // Accepted at 04:00 and delivered only now (the process was down): a run at 12:07 starts at 10:30.
    await deliver([arrivedAt('e1', '03:10', '04:00')]);

    await journalled.runNow();

    expect(windowsOf('a')).toEqual([['03:00', 1, 0, true]]);
    expect(unsummarised.settled().windows).toEqual(new Map());
  });

  it('finish() summarises what was delivered since the last run', async () => {
    await deliver([arrivedAt('e1', '12:01', '12:05')]);

    const outcome = await journalled.finish();

    expect(outcome).toEqual({ advertisers: 1, windowsWritten: 1 });
    expect(windowsOf('a')).toEqual([['12:00', 1, 0, false]]);
  });
});
