import { describe, expect, it } from 'vitest';
import { type RedriveOptions, redrive, type SentRecords } from '../../../analytics/failed/redrive';
import { REDRIVE_PREFIX, recordDigest } from '../../../analytics/failed/redrive-ledger';
import { readTransformConfig } from '../../../lambdas/transform/config';
import {
  ARRIVAL,
  base64Line,
  DAY,
  MemoryStore,
  processingFailed,
  putErrorObject,
  TOO_OLD_EVENT_TIME,
  wireEvent,
} from './fixtures';

const NOW = ARRIVAL + DAY;
const strict = readTransformConfig({});
const raised = readTransformConfig({ MAX_EVENT_AGE_DAYS: '60' });
const tooOld = (id: string) => base64Line(wireEvent(id, { event_time: TOO_OLD_EVENT_TIME }));

/** A Firehose stand-in that acknowledges every record, or refuses those `refuse` picks. */
function fakeStream(refuse: (data: Buffer) => boolean = () => false) {
  const sent: Buffer[] = [];
  const send = async (records: Buffer[]): Promise<SentRecords> => {
    const outcome: SentRecords = { delivered: [], undelivered: [], streamName: 'clickstream-events' };
    records.forEach((data, index) => {
      if (refuse(data)) {
        outcome.undelivered.push({
          index,
          error: { code: 'ServiceUnavailableException', message: 'slow down' },
        });
      } else {
        sent.push(data);
        outcome.delivered.push(index);
      }
    });
    return outcome;
  };
  return { sent, send };
}

function lake(): MemoryStore {
  const store = new MemoryStore();
  putErrorObject(store, 'processing-failed', [
    processingFailed(tooOld('a')),
    processingFailed(tooOld('a')),
    processingFailed(tooOld('b')),
    processingFailed(base64Line('not json')),
  ]);
  putErrorObject(store, 'AmazonOpenSearchService-failed', [
    { ...processingFailed(base64Line(wireEvent('i'))), errorCode: '503', errorMessage: 'index unavailable' },
  ]);
  return store;
}

const run = (store: MemoryStore, overrides: Partial<RedriveOptions>) =>
  redrive({ store, query: {}, config: raised, now: () => NOW, ...overrides });

describe('redrive', () => {
  it('sends each record the transform now accepts once, and reports the rest', async () => {
    const store = lake();
    const stream = fakeStream();

    const report = await run(store, { send: stream.send });

    expect(stream.sent.map((data) => JSON.parse(data.toString()).event_id)).toEqual(['a', 'b']);
    expect(report).toMatchObject({
      dryRun: false,
      read: 5,
      sent: 2,
      stillFailing: { invalid_json: 1 },
      skipped: { alreadyRedriven: 0, repeated: 1, refusedByIndex: 1, unreadable: 0 },
      undelivered: {},
    });
    expect(report.recordedIn).toHaveLength(1);
  });

  it('sends the bytes as they failed (nothing filled in or re-stamped)', async () => {
    const store = lake();
    const stream = fakeStream();

    await run(store, { send: stream.send });

    expect(stream.sent[0]!.toString('base64')).toBe(tooOld('a'));
  });

  it('sends nothing new the second time, and records what it sent without the events', async () => {
    const store = lake();
    const stream = fakeStream();
    await run(store, { send: stream.send });

    const again = await run(store, { send: stream.send });

    expect(again.sent).toBe(0);
    expect(again.skipped.alreadyRedriven).toBe(3);
    expect(stream.sent).toHaveLength(2);
    const [key] = await store.list(REDRIVE_PREFIX);
    const entries = (await store.get(key!))
      .toString()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries).toEqual([
      {
        sha256: recordDigest(tooOld('a')),
        event_id: 'a',
        arrival_timestamp: ARRIVAL,
        redriven_at: new Date(NOW).toISOString(),
        stream: 'clickstream-events',
      },
      expect.objectContaining({ event_id: 'b' }),
    ]);
  });

  it('judges the records at the time of sending, under the settings given', async () => {
    const store = lake();
    const stream = fakeStream();

    const report = await run(store, { send: stream.send, config: strict });

    expect(report.sent).toBe(0);
    expect(report.stillFailing).toEqual({ event_too_old: 2, invalid_json: 1 });
  });

  it('does not record what Firehose did not acknowledge, so that a next run sends it', async () => {
    const store = lake();
    const refuseB = fakeStream((data) => data.toString().includes('"b"'));
    const first = await run(store, { send: refuseB.send });
    const everything = fakeStream();

    const second = await run(store, { send: everything.send });

    expect(first).toMatchObject({ sent: 1, undelivered: { ServiceUnavailableException: 1 } });
    expect(second.sent).toBe(1);
    expect(JSON.parse(everything.sent[0]!.toString()).event_id).toBe('b');
  });

  it('selects by reason', async () => {
    const stream = fakeStream();

    const report = await run(lake(), { send: stream.send, query: { reason: 'invalid_json' } });

    expect(report).toMatchObject({ read: 1, sent: 0, stillFailing: { invalid_json: 1 } });
  });

  it('sends and records nothing in a dry run', async () => {
    const store = lake();

    const report = await run(store, {});

    expect(report).toMatchObject({ dryRun: true, sent: 2 });
    expect(await store.list(REDRIVE_PREFIX)).toEqual([]);
  });

  it('records each batch before sending the next', async () => {
    const store = lake();
    const stream = fakeStream();

    const report = await run(store, { send: stream.send, chunkRecords: 1 });

    expect(report.recordedIn).toHaveLength(2);
    expect(await store.list(REDRIVE_PREFIX)).toEqual([...report.recordedIn].sort());
  });

  it('reports an unreadable error object and a bad redrive record, and goes on', async () => {
    const store = lake();
    store.objects.set('errors/processing-failed/dt=2026-11-22/zz.gz', Buffer.from([0x1f, 0x8b, 9]));
    store.objects.set(`${REDRIVE_PREFIX}bad.ndjson`, Buffer.from('not a redrive entry\n'));
    const problems: string[] = [];
    const stream = fakeStream();

    const report = await run(store, { send: stream.send, onProblem: (p) => problems.push(p.key) });

    expect(report.sent).toBe(2);
    expect(report.skipped.unreadable).toBe(1);
    expect(problems).toEqual([`${REDRIVE_PREFIX}bad.ndjson`, 'errors/processing-failed/dt=2026-11-22/zz.gz']);
  });
});
