import { describe, expect, it } from 'vitest';
import { countFailedByReason, listFailedEvents } from '../../../analytics/failed/failed-events';
import { HIDDEN } from '../../../analytics/failed/mask';
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

const config = readTransformConfig({});
const old = (id: string, advertiser = 'adv-1') =>
  processingFailed(base64Line(wireEvent(id, { advertiser_id: advertiser, event_time: TOO_OLD_EVENT_TIME })));

function lakeWithFailures(): MemoryStore {
  const store = new MemoryStore();
  putErrorObject(store, 'processing-failed', [
    old('o-1'),
    old('o-2', 'adv-2'),
    processingFailed(base64Line('{"user_id":"u-secret"')),
    processingFailed(base64Line(wireEvent('m', { event_type: undefined, user_id: 'u-secret' }))),
  ]);
  putErrorObject(store, 'AmazonOpenSearchService-failed', [
    {
      ...processingFailed(
        base64Line({
          ...wireEvent('i'),
          received_at: '2026-11-22T07:35:12.000Z',
          derived_event_time: '2026-11-22T07:34:12.000Z',
        }),
      ),
      errorCode: '400',
      errorMessage: '{"type":"mapper_parsing_exception","reason":"value u-secret"}',
    },
  ]);
  return store;
}

describe('listing failed events', () => {
  it('groups by reason and error output type, most first, with masked samples', async () => {
    const list = await listFailedEvents(lakeWithFailures(), {}, { config, now: ARRIVAL, samplesPerGroup: 1 });

    expect(list.total).toBe(5);
    expect(list.groups.map((g) => [g.reason, g.errorOutputType, g.records, g.samples.length])).toEqual([
      ['event_too_old', 'processing-failed', 2, 1],
      ['invalid_json', 'processing-failed', 1, 1],
      ['mapper_parsing_exception', 'AmazonOpenSearchService-failed', 1, 1],
      ['missing_required_field', 'processing-failed', 1, 1],
    ]);
    const [tooOld, invalidJson, index, missing] = list.groups;
    expect(tooOld!.samples[0]).toMatchObject({
      error_code: 'Lambda.ProcessingFailedStatus',
      field: '/event_time',
      event: { event_id: 'o-1', advertiser_id: 'adv-1' },
    });
    expect(invalidJson!.samples[0]!.event).toBeNull();
    expect(missing!.samples[0]!.event).toMatchObject({ user_id: HIDDEN });
    // An index's message may quote a value: it is left out of the sample.
    expect(index!.samples[0]!.error_message).toBeUndefined();
    expect(JSON.stringify(list)).not.toContain('u-secret');
  });

  it('counts the records that would pass if sent now, under the settings given', async () => {
    const store = lakeWithFailures();

    const strict = await listFailedEvents(store, {}, { config, now: ARRIVAL });
    const raised = await listFailedEvents(
      store,
      {},
      { config: readTransformConfig({ MAX_EVENT_AGE_DAYS: '60' }), now: ARRIVAL },
    );

    expect(strict.groups.map((g) => g.passNow)).toEqual([0, 0, 0, 0]);
    expect(raised.groups.find((g) => g.reason === 'event_too_old')).toMatchObject({ records: 2, passNow: 2 });
    // The refused document is the transform's output: never sent again.
    expect(raised.groups.find((g) => g.errorOutputType === 'AmazonOpenSearchService-failed')!.passNow).toBe(
      0,
    );
  });

  it('selects by reason, by advertiser and by arrival time', async () => {
    const store = lakeWithFailures();
    putErrorObject(
      store,
      'processing-failed',
      [old('later')].map((r) => ({ ...r, arrivalTimestamp: ARRIVAL + DAY })),
      'later',
    );

    const byReason = await listFailedEvents(store, { reason: 'invalid_json' }, { config });
    const byAdvertiser = await listFailedEvents(store, { advertiserId: 'adv-2' }, { config });
    const byTime = await listFailedEvents(store, { from: ARRIVAL + 1 }, { config });

    expect(byReason.total).toBe(1);
    expect(byAdvertiser.groups.map((g) => [g.reason, g.records])).toEqual([['event_too_old', 1]]);
    expect(byTime.groups.map((g) => [g.reason, g.records])).toEqual([['event_too_old', 1]]);
  });
});

describe('counting failed events by reason (GET /api/failed)', () => {
  it('counts every record of the range once, and reports what it could not read', async () => {
    const store = lakeWithFailures();
    store.objects.set('errors/processing-failed/dt=2026-11-22/broken.gz', Buffer.from([0x1f, 0x8b, 0]));

    const counts = await countFailedByReason(store, { from: ARRIVAL - DAY, to: ARRIVAL + DAY }, { config });

    expect(counts.total).toBe(5);
    expect(counts.byReason).toEqual([
      { reason: 'event_too_old', errorOutputType: 'processing-failed', count: 2 },
      { reason: 'invalid_json', errorOutputType: 'processing-failed', count: 1 },
      { reason: 'mapper_parsing_exception', errorOutputType: 'AmazonOpenSearchService-failed', count: 1 },
      { reason: 'missing_required_field', errorOutputType: 'processing-failed', count: 1 },
    ]);
    expect(counts.problems).toEqual([
      {
        key: 'errors/processing-failed/dt=2026-11-22/broken.gz',
        message: expect.stringContaining('cannot read'),
      },
    ]);
  });

  it('counts one advertiser', async () => {
    const counts = await countFailedByReason(lakeWithFailures(), { advertiserId: 'adv-1' }, { config });

    expect(counts.byReason.map((r) => [r.reason, r.count])).toEqual([
      ['event_too_old', 1],
      ['mapper_parsing_exception', 1],
      ['missing_required_field', 1],
    ]);
  });
});
