import { type FailedRecord, type StoredEvent, toEpochMillis } from '../../contract';
import { writeEventsObject, writeFailedRecordsObject } from '../../local/duckdb/lake-writer';

/**
 * A small lake whose query results are computed by hand in queries.test.ts. Times are UTC.
 * - adv-a/c1: u1 impression -> click (delivered twice) -> conversion (delivered twice, the repeat on
 *   the next arrival day); u2 impression at 23:50 and click at 00:10 the next day (a session across
 *   midnight); u4 impression on 11-02 and a click two days later (outside a 1-day attribution window).
 * - adv-b/c2: u3 impression on 11-01 that arrives 48 hours late (dt=2026-11-03), conversion on 11-03.
 * - page views on /home and /pricing with a `plan` property; one by an anonymous visitor.
 * - events outside every tested range, on arrival days 2026-10-25 and 2026-11-05.
 * - adv-bill/cb on 11-09..11-12 (billing rules, apart from every other case's days): known bots
 *   (`crawler`), amounts in four currencies and one without a currency, more conversions than clicks,
 *   and conversions whose latest click is an earlier one, outside the range, or more than a day before.
 * - failed records: processing-failed on 11-01 (3) and 11-05 (1), AmazonOpenSearchService-failed on 11-02 (1).
 */
interface Delivery {
  event: StoredEvent;
  received: string;
}

function event(
  id: string,
  type: string,
  advertiser: string,
  time: string,
  fields: Partial<StoredEvent> = {},
): StoredEvent {
  return {
    event_id: id,
    event_type: type,
    advertiser_id: advertiser,
    event_time: time,
    received_at: '',
    ...fields,
  };
}

const e01 = event('e01', 'impression', 'adv-a', '2026-11-01T10:00:00.000Z', {
  campaign_id: 'c1',
  user_id: 'u1',
  cost: 0.5,
});
const e02 = event('e02', 'click', 'adv-a', '2026-11-01T10:05:00.000Z', { campaign_id: 'c1', user_id: 'u1' });
const e03 = event('e03', 'conversion', 'adv-a', '2026-11-01T11:00:00.000Z', {
  campaign_id: 'c1',
  user_id: 'u1',
  revenue: 20,
});
const e04 = event('e04', 'impression', 'adv-a', '2026-11-01T23:50:00.000Z', {
  campaign_id: 'c1',
  user_id: 'u2',
  cost: 0.5,
});
const e05 = event('e05', 'click', 'adv-a', '2026-11-02T00:10:00.000Z', { campaign_id: 'c1', user_id: 'u2' });
const e06 = event('e06', 'impression', 'adv-a', '2026-11-02T15:00:00.000Z', {
  campaign_id: 'c1',
  user_id: 'u4',
  cost: 0.5,
});
const e07 = event('e07', 'impression', 'adv-b', '2026-11-01T09:00:00.000Z', {
  campaign_id: 'c2',
  user_id: 'u3',
  cost: 1,
});
const e08 = event('e08', 'conversion', 'adv-b', '2026-11-03T10:00:00.000Z', {
  campaign_id: 'c2',
  user_id: 'u3',
  revenue: 5.5,
});
const page = (path: string) => ({
  url: `https://shop.example${path}`,
  url_host: 'shop.example',
  url_path: path,
});
const e09 = event('e09', 'pageview', 'adv-a', '2026-11-01T10:01:00.000Z', {
  user_id: 'u1',
  ...page('/home'),
  properties: { plan: 'pro' },
});
const e10 = event('e10', 'pageview', 'adv-a', '2026-11-02T09:00:00.000Z', {
  user_id: 'u3',
  ...page('/pricing'),
  properties: { plan: 'free' },
});
const e11 = event('e11', 'pageview', 'adv-a', '2026-11-02T09:30:00.000Z', {
  anonymous_id: 'a1',
  ...page('/pricing'),
});
const e12 = event('e12', 'pageview', 'adv-a', '2026-11-02T10:00:00.000Z', {
  user_id: 'u1',
  ...page('/home'),
  properties: { plan: 'pro' },
});
const e13 = event('e13', 'pageview', 'adv-a', '2026-10-25T08:00:00.000Z', { user_id: 'u5', ...page('/old') });
const e14 = event('e14', 'impression', 'adv-a', '2026-11-05T08:00:00.000Z', {
  campaign_id: 'c1',
  user_id: 'u5',
});
const e15 = event('e15', 'click', 'adv-a', '2026-11-04T16:00:00.000Z', { campaign_id: 'c1', user_id: 'u4' });

// adv-bill: `bill(id, type, time, visitor, fields)` on campaign cb, arriving 3 s after its event time.
const BILLING: StoredEvent[] = [
  bill('b01', 'impression', '2026-11-10T10:00:00.000Z', 'u1', { cost: 0.5, currency: 'USD' }),
  bill('b02', 'impression', '2026-11-10T10:01:00.000Z', 'crawler', {
    is_bot: true,
    cost: 0.5,
    currency: 'USD',
  }),
  bill('b03', 'click', '2026-11-10T10:02:00.000Z', 'u1', { is_bot: false, cost: 1, currency: 'EUR' }),
  bill('b04', 'click', '2026-11-10T10:03:00.000Z', 'crawler', { is_bot: true }),
  bill('b05', 'conversion', '2026-11-10T10:30:00.000Z', 'u1', { revenue: 100, currency: 'EUR' }),
  bill('b06', 'conversion', '2026-11-10T11:00:00.000Z', 'u1', { revenue: 100, currency: 'JPY' }),
  bill('b07', 'conversion', '2026-11-10T11:30:00.000Z', 'u2', { revenue: 5 }),
  bill('b08', 'conversion', '2026-11-10T11:40:00.000Z', 'crawler', {
    is_bot: true,
    revenue: 1000,
    currency: 'JPY',
  }),
  bill('b09', 'click', '2026-11-10T12:00:00.000Z', 'u3'),
  bill('b10', 'click', '2026-11-11T09:00:00.000Z', 'u1'),
  bill('b11', 'conversion', '2026-11-11T09:30:00.000Z', 'u1', { revenue: 50, currency: 'EUR' }),
  bill('b12', 'click', '2026-11-09T23:00:00.000Z', 'u4'),
  bill('b13', 'conversion', '2026-11-10T08:00:00.000Z', 'u4'),
  bill('b14', 'click', '2026-11-10T13:00:00.000Z', 'u5'),
  bill('b15', 'conversion', '2026-11-12T14:00:00.000Z', 'u5'),
  bill('b16', 'impression', '2026-11-10T11:59:00.000Z', 'u3'),
  bill('b17', 'impression', '2026-11-10T12:59:00.000Z', 'u5'),
  bill('b18', 'impression', '2026-11-11T08:59:00.000Z', 'u1'),
  bill('b19', 'impression', '2026-11-10T11:00:00.000Z', 'u2'),
  event('b20', 'conversion', 'adv-bill', '2026-11-10T14:00:00.000Z', {
    user_id: 'u6',
    revenue: 7,
    currency: 'GBP',
  }),
];

function bill(id: string, type: string, time: string, visitor: string, fields: Partial<StoredEvent> = {}) {
  return event(id, type, 'adv-bill', time, { campaign_id: 'cb', user_id: visitor, ...fields });
}

const DELIVERIES: Delivery[] = [
  ...BILLING.map((e) => ({ event: e, received: new Date(Date.parse(e.event_time) + 3_000).toISOString() })),
  { event: e01, received: '2026-11-01T10:00:05.000Z' },
  { event: e02, received: '2026-11-01T10:05:02.000Z' },
  { event: e02, received: '2026-11-01T12:00:00.000Z' },
  { event: e03, received: '2026-11-01T11:00:01.000Z' },
  { event: e03, received: '2026-11-02T01:00:00.000Z' },
  { event: e04, received: '2026-11-01T23:50:03.000Z' },
  { event: e05, received: '2026-11-02T00:10:01.000Z' },
  { event: e06, received: '2026-11-02T15:00:00.500Z' },
  { event: e07, received: '2026-11-03T09:00:00.000Z' },
  { event: e08, received: '2026-11-03T10:00:01.000Z' },
  { event: e09, received: '2026-11-01T10:01:01.000Z' },
  { event: e10, received: '2026-11-02T09:00:00.500Z' },
  { event: e11, received: '2026-11-02T09:30:02.000Z' },
  { event: e12, received: '2026-11-02T10:00:01.000Z' },
  { event: e13, received: '2026-10-25T08:00:01.000Z' },
  { event: e14, received: '2026-11-05T08:00:01.000Z' },
  { event: e15, received: '2026-11-04T16:00:01.000Z' },
];

function failure(errorCode: string, errorMessage: string, arrival: string): FailedRecord {
  const arrivalTimestamp = toEpochMillis(arrival);
  return {
    attemptsMade: 1,
    arrivalTimestamp,
    errorCode,
    errorMessage,
    attemptEndingTimestamp: arrivalTimestamp + 1000,
    rawData: Buffer.from('{"event_id":"broken"}\n').toString('base64'),
  };
}

const INVALID = 'event_time: must be ISO-8601 with an offset or epoch millis';
const FAILURES: { type: string; arrival: string; records: FailedRecord[] }[] = [
  {
    type: 'processing-failed',
    arrival: '2026-11-01T10:00:00.000Z',
    records: [
      failure('Lambda.ProcessingFailed', INVALID, '2026-11-01T10:00:00.000Z'),
      failure('Lambda.ProcessingFailed', INVALID, '2026-11-01T10:00:01.000Z'),
      failure('Lambda.FunctionError', 'The Lambda function returned an error', '2026-11-01T10:00:02.000Z'),
    ],
  },
  {
    type: 'AmazonOpenSearchService-failed',
    arrival: '2026-11-02T08:00:00.000Z',
    records: [failure('400', 'mapper_parsing_exception', '2026-11-02T08:00:00.000Z')],
  },
  {
    type: 'processing-failed',
    arrival: '2026-11-05T08:00:00.000Z',
    records: [failure('Lambda.ProcessingFailed', INVALID, '2026-11-05T08:00:00.000Z')],
  },
];

/** Writes the lake under `lakeDir`, one object per delivery, and returns the event object paths. */
export function writeFixtureLake(lakeDir: string): string[] {
  const eventFiles = DELIVERIES.map((d) =>
    writeEventsObject(lakeDir, [{ ...d.event, received_at: d.received }], toEpochMillis(d.received)),
  );
  for (const f of FAILURES) writeFailedRecordsObject(lakeDir, f.type, f.records, toEpochMillis(f.arrival));
  return eventFiles;
}
