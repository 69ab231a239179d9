import { describe, expect, it } from 'vitest';
import {
  parseFailedRecord,
  type ReadProblem,
  readFailedRecords,
} from '../../../analytics/failed/error-objects';
import {
  ARRIVAL,
  base64Line,
  DAY,
  MemoryStore,
  processingFailed,
  putErrorObject,
  wireEvent,
} from './fixtures';

async function readAll(store: MemoryStore, range: { from?: number; to?: number } = {}) {
  const problems: ReadProblem[] = [];
  const records = [];
  for await (const at of readFailedRecords(store, range, { onProblem: (p) => problems.push(p) }))
    records.push(at);
  return { records, problems };
}

describe('reading errors/', () => {
  it('reads every record of both error output types, with where it was read', async () => {
    const store = new MemoryStore();
    const failed = processingFailed(base64Line('not json'));
    const refused = {
      ...processingFailed(base64Line(wireEvent('a'))),
      errorCode: '400',
      esIndexName: 'incoming-2026-11-22',
    };
    const processingKey = putErrorObject(store, 'processing-failed', [failed, failed]);
    const indexKey = putErrorObject(store, 'AmazonOpenSearchService-failed', [refused]);

    const { records, problems } = await readAll(store);

    expect(problems).toEqual([]);
    expect(records.map((r) => [r.errorOutputType, r.key, r.line])).toEqual([
      ['processing-failed', processingKey, 1],
      ['processing-failed', processingKey, 2],
      ['AmazonOpenSearchService-failed', indexKey, 1],
    ]);
    expect(records[2]!.record).toEqual(refused);
  });

  it('keeps the records that arrived in [from, to), looking in the folder of the day before too', async () => {
    const store = new MemoryStore();
    const midnight = Date.UTC(2026, 10, 23);
    // A buffer opened before midnight: its object is dated the 22nd, one record arrived on the 23rd.
    putErrorObject(store, 'processing-failed', [
      processingFailed(base64Line('a'), midnight - 1000),
      processingFailed(base64Line('b'), midnight + 1000),
    ]);
    putErrorObject(store, 'processing-failed', [processingFailed(base64Line('c'), midnight + DAY)], 'next');

    const { records } = await readAll(store, { from: midnight, to: midnight + DAY });

    expect(records.map((r) => r.record.arrivalTimestamp)).toEqual([midnight + 1000]);
  });

  it('does not open objects of days that cannot hold arrivals in the range', async () => {
    const store = new MemoryStore();
    putErrorObject(store, 'processing-failed', [processingFailed(base64Line('old'), ARRIVAL - 10 * DAY)]);
    const opened: string[] = [];
    const get = store.get.bind(store);
    store.get = async (key) => {
      opened.push(key);
      return get(key);
    };

    const { records } = await readAll(store, { from: ARRIVAL - DAY });

    expect(records).toEqual([]);
    expect(opened).toEqual([]);
  });

  it('reads an object that is not compressed', async () => {
    const store = new MemoryStore();
    const record = processingFailed(base64Line('x'));
    store.objects.set(
      'errors/processing-failed/dt=2026-11-22/plain',
      Buffer.from(`${JSON.stringify(record)}\n`),
    );

    const { records } = await readAll(store);

    expect(records.map((r) => r.record)).toEqual([record]);
  });

  it('reports a corrupt object and a bad line, and reads the rest', async () => {
    const store = new MemoryStore();
    const good = processingFailed(base64Line('x'));
    putErrorObject(store, 'processing-failed', [good], 'b-good');
    const corrupt = 'errors/processing-failed/dt=2026-11-22/a-corrupt.gz';
    store.objects.set(corrupt, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    const mixed = 'errors/processing-failed/dt=2026-11-22/c-mixed';
    store.objects.set(mixed, Buffer.from(`{"rawData":1}\n${JSON.stringify(good)}\n[1]\n`));
    store.objects.set('errors/processing-failed/stray.txt', Buffer.from('x'));

    const { records, problems } = await readAll(store);

    expect(records).toHaveLength(2);
    expect(problems).toEqual([
      { key: 'errors/processing-failed/stray.txt', message: expect.stringContaining('not an errors/') },
      { key: corrupt, message: expect.stringContaining('cannot read the object') },
      { key: mixed, line: 1, message: 'no rawData' },
      { key: mixed, line: 3, message: 'not a JSON object' },
    ]);
  });
});

describe('a failure record line', () => {
  it('reads numbers Firehose writes as text, and keeps only the fields it knows', () => {
    const line = JSON.stringify({
      attemptsMade: '4',
      arrivalTimestamp: '1795000000000',
      errorCode: 'Lambda.FunctionError',
      errorMessage: 'm',
      attemptEndingTimestamp: 1795000001000,
      rawData: 'eA==',
      lambdaArn: 'arn',
      esTypeName: '_doc',
    });

    expect(parseFailedRecord(line)).toEqual({
      attemptsMade: 4,
      arrivalTimestamp: 1795000000000,
      errorCode: 'Lambda.FunctionError',
      errorMessage: 'm',
      attemptEndingTimestamp: 1795000001000,
      rawData: 'eA==',
      lambdaArn: 'arn',
    });
  });

  it.each([
    ['{', 'not a JSON line'],
    ['"text"', 'not a JSON object'],
    ['{"rawData":"eA=="}', 'no arrivalTimestamp (epoch milliseconds)'],
    ['{"rawData":"eA==","arrivalTimestamp":-5}', 'no arrivalTimestamp (epoch milliseconds)'],
  ])('refuses %s: %s', (line, problem) => {
    expect(parseFailedRecord(line)).toBe(problem);
  });
});
