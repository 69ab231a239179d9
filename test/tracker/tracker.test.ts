import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_RECORD_BYTES } from '../../contract/index';
import { createTracker, type TrackerOptions, type UndeliveredEvent } from '../../tracker/index';
import { anEvent, networkError, ScriptedFirehose, serviceError, untyped } from './scripted-firehose';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Lets pending promise callbacks run without moving the clock. */
const settle = () => vi.advanceTimersByTimeAsync(0);

function setUp(options: Partial<TrackerOptions> = {}, firehose = new ScriptedFirehose()) {
  const undelivered: UndeliveredEvent[] = [];
  const tracker = createTracker({
    deliveryStreamName: 'clicks',
    client: firehose,
    onError: (events) => undelivered.push(...events),
    ...options,
  });
  /** Flushes, running timers (interval, backoff) until it resolves. */
  const flushAll = async () => {
    const flushed = tracker.flush();
    await vi.runAllTimersAsync();
    await flushed;
  };
  return { tracker, firehose, undelivered, flushAll };
}

/**
 * A valid event of a little over `bytes` bytes once serialised: arrays of 7 strings of 4,000
 * characters, each array within MAX_PROPERTY_VALUE_BYTES once flattened.
 */
function eventOfSize(bytes: number) {
  const properties: Record<string, string[]> = {};
  const strings = Math.ceil(bytes / 4003);
  for (let i = 0; i * 7 < strings; i++) {
    properties[`blob${i}`] = Array.from({ length: Math.min(7, strings - i * 7) }, () => 'x'.repeat(4000));
  }
  return anEvent({ properties });
}

describe('batching', () => {
  it('sends a full batch at once and a partial one when the interval elapses', async () => {
    const { tracker, firehose } = setUp({ maxBatchRecords: 3, flushIntervalMs: 1000 });

    for (let i = 0; i < 5; i++) tracker.track(anEvent());
    await settle();
    const afterFullBatch = firehose.requests.map((r) => r.events.length);
    await vi.advanceTimersByTimeAsync(999);
    const beforeInterval = firehose.requests.length;
    await vi.advanceTimersByTimeAsync(1);

    expect(afterFullBatch).toEqual([3]);
    expect(beforeInterval).toBe(1);
    expect(firehose.requests.map((r) => r.events.length)).toEqual([3, 2]);
    expect(firehose.requests[0]?.streamName).toBe('clicks');
  });

  it('never puts more than 500 records in a request', async () => {
    const { tracker, firehose, flushAll } = setUp();

    for (let i = 0; i < 1200; i++) tracker.track(anEvent());
    await flushAll();

    expect(firehose.requests.map((r) => r.records.length)).toEqual([500, 500, 200]);
  });

  it('never puts more than 4 MiB in a request', async () => {
    const { tracker, firehose, flushAll } = setUp();

    for (let i = 0; i < 10; i++) expect(tracker.track(eventOfSize(900_000)).ok).toBe(true);
    await flushAll();

    const sizes = firehose.requests.map((r) => r.records.reduce((sum, data) => sum + data.length, 0));
    expect(sizes.every((size) => size <= 4 * 1024 * 1024)).toBe(true);
    expect(firehose.requests.map((r) => r.records.length)).toEqual([4, 4, 2]);
  });

  it('keeps at most maxConcurrentRequests requests in flight', async () => {
    const firehose = new ScriptedFirehose();
    firehose.hold();
    const { tracker } = setUp({ maxBatchRecords: 1, maxConcurrentRequests: 2 }, firehose);

    for (let i = 0; i < 5; i++) tracker.track(anEvent());
    await settle();

    expect(firehose.requests).toHaveLength(2);
    expect(tracker.stats()).toMatchObject({ inFlight: 2, queued: 3 });
  });
});

describe('track', () => {
  it('refuses an invalid event at once with the contract reason, and never sends it', async () => {
    const { tracker, firehose, flushAll } = setUp();

    const result = tracker.track(untyped({ ...anEvent(), advertiser_id: 'a b' }));
    await flushAll();

    expect(result).toMatchObject({ ok: false, reason: 'invalid_advertiser_id', field: '/advertiser_id' });
    expect(tracker.stats()).toMatchObject({ accepted: 0, refused: 1 });
    expect(firehose.requests).toEqual([]);
  });

  it.each([
    [
      'a lone surrogate (half of an emoji) in user_agent',
      { user_agent: 'Mozilla \udc00' },
      'malformed_unicode',
      '/user_agent',
    ],
    [
      'a lone surrogate in a property key',
      { properties: { 'k\ud83d': 1 } },
      'malformed_unicode',
      '/properties/k\ufffd',
    ],
    ['a C1 control character (U+0085) in event_id', { event_id: 'e\u0085' }, 'invalid_event_id', '/event_id'],
    [
      'an event_time in 1999 once its offset applies',
      { event_time: '2000-01-01T00:30:00+01:00' },
      'invalid_timestamp',
      '/event_time',
    ],
  ])('refuses %s at once, naming the field, and never sends it', async (_name, overrides, reason, field) => {
    const { tracker, firehose, flushAll } = setUp();

    const result = tracker.track(untyped({ ...anEvent(), ...overrides }));
    await flushAll();

    expect(result).toMatchObject({ ok: false, reason, field });
    expect(tracker.stats()).toMatchObject({ accepted: 0, refused: 1 });
    expect(firehose.requests).toEqual([]);
  });

  it('sends the event as it was when tracked, whatever the caller changes afterwards', async () => {
    const { tracker, firehose, flushAll } = setUp();
    const properties = { slot: 'top' };
    const event = anEvent({ campaign_id: 'spring', properties });
    const asTracked = structuredClone(event);

    tracker.track(event);
    event.campaign_id = 'summer';
    properties.slot = 'changed';
    await flushAll();

    expect(firehose.requests[0]?.events[0]).toMatchObject(asTracked);
  });

  it('returns the event_id it filled in, and sends it', async () => {
    const { tracker, firehose, flushAll } = setUp();

    const result = tracker.track(anEvent());
    await flushAll();

    expect(result.ok).toBe(true);
    expect(firehose.deliveredIds).toEqual([result.ok ? result.eventId : '']);
    expect(result.ok ? result.eventId : '').toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
  });
});

describe('retries', () => {
  it('retries only the records that failed, then delivers them', async () => {
    const firehose = new ScriptedFirehose([{ kind: 'fail-records', indexes: [1] }]);
    const { tracker, undelivered, flushAll } = setUp({}, firehose);

    const ids = [0, 1, 2].map(() => {
      const result = tracker.track(anEvent());
      return result.ok ? result.eventId : '';
    });
    await flushAll();

    expect(firehose.requests.map((r) => r.events.map((e) => e.event_id))).toEqual([ids, [ids[1]]]);
    expect(undelivered).toEqual([]);
    expect(tracker.stats()).toMatchObject({ delivered: 3, retried: 1, failed: 0, queued: 0, inFlight: 0 });
  });

  it.each([
    ['a throttled request', serviceError('ServiceUnavailableException', 503)],
    ['a throttling error', serviceError('ThrottlingException', 400)],
    ['a network error', networkError('ECONNRESET')],
    ['a server error', serviceError('InternalFailure', 500)],
  ])('retries after %s', async (_name, error) => {
    const firehose = new ScriptedFirehose([{ kind: 'throw', error }]);
    const { tracker, flushAll } = setUp({}, firehose);

    tracker.track(anEvent());
    tracker.track(anEvent());
    await flushAll();

    expect(firehose.requests.map((r) => r.events.length)).toEqual([2, 2]);
    expect(tracker.stats()).toMatchObject({ delivered: 2, retried: 2, failed: 0 });
  });

  it('backs off exponentially with full jitter, capped', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const failAll = { kind: 'fail-records' as const, indexes: [0] };
    const firehose = new ScriptedFirehose([failAll, failAll, failAll, failAll]);
    const { tracker, flushAll } = setUp({ retry: { baseDelayMs: 100, maxDelayMs: 300 } }, firehose);

    tracker.track(anEvent());
    await flushAll();

    const at = firehose.requests.map((r) => r.at);
    const waits = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    expect(waits).toEqual([50, 100, 150, 150]);
  });

  it('reports events to onError after the last attempt, with the error and the attempts', async () => {
    const failAll = { kind: 'fail-records' as const, indexes: [0], code: 'InternalFailure' };
    const firehose = new ScriptedFirehose([failAll, failAll, failAll]);
    const { tracker, undelivered, flushAll } = setUp({ retry: { maxAttempts: 3 } }, firehose);

    const result = tracker.track(anEvent());
    await flushAll();

    expect(firehose.requests).toHaveLength(3);
    expect(undelivered).toEqual([
      {
        event: expect.objectContaining({ event_id: result.ok ? result.eventId : '' }),
        error: { code: 'InternalFailure', message: 'Slow down.' },
        attempts: 3,
      },
    ]);
    expect(tracker.stats()).toMatchObject({ delivered: 0, failed: 1, retried: 2 });
  });

  it('reports at once an error that retrying cannot fix', async () => {
    const firehose = new ScriptedFirehose([
      { kind: 'throw', error: serviceError('ResourceNotFoundException', 400) },
    ]);
    const { tracker, undelivered, flushAll } = setUp({}, firehose);

    tracker.track(anEvent());
    await flushAll();

    expect(firehose.requests).toHaveLength(1);
    expect(undelivered.map((u) => [u.error.code, u.attempts])).toEqual([['ResourceNotFoundException', 1]]);
  });

  it('retries a request that does not answer within requestTimeoutMs', async () => {
    const firehose = new ScriptedFirehose();
    firehose.hold();
    const { tracker, flushAll } = setUp({ requestTimeoutMs: 2000 }, firehose);

    tracker.track(anEvent());
    const flushed = tracker.flush();
    await vi.advanceTimersByTimeAsync(2000);
    firehose.release();
    await vi.runAllTimersAsync();
    await flushed;
    await flushAll();

    expect(firehose.requests.length).toBeGreaterThanOrEqual(2);
    expect(tracker.stats()).toMatchObject({ delivered: 1, retried: 1, failed: 0 });
  });

  it('without onError, warns about undelivered events', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const firehose = new ScriptedFirehose([
      { kind: 'throw', error: serviceError('AccessDeniedException', 403) },
    ]);
    const tracker = createTracker({ deliveryStreamName: 'clicks', client: firehose });

    tracker.track(anEvent());
    const flushed = tracker.flush();
    await vi.runAllTimersAsync();
    await flushed;

    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('could not deliver 1 event(s) to Firehose stream clicks'),
      expect.objectContaining({ code: 'CLICKSTREAM_TRACKER_UNDELIVERED' }),
    );
  });

  it('survives an onError callback that throws, and warns', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const firehose = new ScriptedFirehose([
      { kind: 'throw', error: serviceError('AccessDeniedException', 403) },
    ]);
    const { tracker, flushAll } = setUp(
      {
        onError: () => {
          throw new Error('callback bug');
        },
      },
      firehose,
    );

    tracker.track(anEvent());
    await flushAll();
    tracker.track(anEvent());
    await flushAll();

    expect(warn).toHaveBeenCalledWith(expect.stringContaining('callback bug'), expect.anything());
    expect(tracker.stats()).toMatchObject({ failed: 1, delivered: 1, queued: 0, inFlight: 0 });
  });
});

describe('flush', () => {
  it('resolves at once when nothing is buffered', async () => {
    const { tracker } = setUp();

    await expect(tracker.flush()).resolves.toBeUndefined();
  });

  it('waits for requests already in flight', async () => {
    const firehose = new ScriptedFirehose();
    firehose.hold();
    const { tracker } = setUp({ maxBatchRecords: 1 }, firehose);
    tracker.track(anEvent());
    await settle();
    let flushed = false;

    const flushing = tracker.flush().then(() => {
      flushed = true;
    });
    await settle();
    const whileInFlight = flushed;
    firehose.release();
    await flushing;

    expect(whileInFlight).toBe(false);
    expect(tracker.stats()).toMatchObject({ delivered: 1, inFlight: 0 });
  });

  it('does not wait for events tracked after it', async () => {
    const firehose = new ScriptedFirehose();
    firehose.hold();
    const { tracker } = setUp({ flushIntervalMs: 60_000 }, firehose);
    tracker.track(anEvent());

    const flushing = tracker.flush();
    await settle();
    tracker.track(anEvent());
    firehose.release();
    await flushing;

    expect(tracker.stats()).toMatchObject({ delivered: 1, queued: 1 });
  });

  it('gives up after timeoutMs and reports what is left, in flight included', async () => {
    const firehose = new ScriptedFirehose();
    firehose.hold();
    const { tracker, undelivered } = setUp({ maxBatchRecords: 2, maxConcurrentRequests: 1 }, firehose);
    for (let i = 0; i < 3; i++) tracker.track(anEvent());

    const flushing = tracker.flush({ timeoutMs: 5000 });
    await vi.advanceTimersByTimeAsync(5000);
    await flushing;

    expect(undelivered.map((u) => [u.error.code, u.attempts])).toEqual([
      ['FlushTimeout', 0],
      ['FlushTimeout', 1],
      ['FlushTimeout', 1],
    ]);
    expect(tracker.stats()).toMatchObject({ failed: 3, queued: 0, inFlight: 0, bufferedBytes: 0 });
  });

  it('rejects a bad timeout', async () => {
    const { tracker } = setUp();

    await expect(tracker.flush({ timeoutMs: -1 })).rejects.toThrow(
      'timeoutMs must be a non-negative integer',
    );
  });
});

describe('close', () => {
  it('flushes, returns the same promise each time, and refuses events afterwards', async () => {
    const { tracker, firehose } = setUp();
    tracker.track(anEvent());

    const first = tracker.close();
    const second = tracker.close();
    await vi.runAllTimersAsync();
    await first;
    const late = tracker.track(anEvent());

    expect(second).toBe(first);
    expect(firehose.deliveredIds).toHaveLength(1);
    expect(late).toMatchObject({ ok: false, reason: 'closed' });
    expect(tracker.stats()).toMatchObject({ accepted: 1, refused: 1, delivered: 1 });
  });
});

describe('a full queue', () => {
  it('refuses new events by default', () => {
    const { tracker } = setUp({ maxQueueEvents: 2 });

    const results = [anEvent(), anEvent(), anEvent()].map((event) => tracker.track(event));

    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(results[2]).toMatchObject({ reason: 'queue_full' });
    expect(tracker.stats()).toMatchObject({ accepted: 2, refused: 1, queued: 2 });
  });

  it('counts bytes as well as events', () => {
    const { tracker } = setUp({ maxQueueBytes: MAX_RECORD_BYTES });

    const results = [eventOfSize(600_000), eventOfSize(600_000)].map((event) => tracker.track(event));

    expect(results.map((r) => r.ok)).toEqual([true, false]);
  });

  it('drops the oldest waiting events under drop-oldest, and reports them to onDrop', async () => {
    const dropped: string[] = [];
    const { tracker, firehose, flushAll } = setUp({
      maxQueueEvents: 2,
      whenFull: 'drop-oldest',
      onDrop: (events) => dropped.push(...events.map((e) => e.event_id)),
    });

    const ids = [anEvent(), anEvent(), anEvent()].map((event) => {
      const result = tracker.track(event);
      return result.ok ? result.eventId : '';
    });
    await flushAll();

    expect(dropped).toEqual([ids[0]]);
    expect(firehose.deliveredIds).toEqual([ids[1], ids[2]]);
    expect(tracker.stats()).toMatchObject({ accepted: 3, dropped: 1, delivered: 2 });
  });

  it('refuses under drop-oldest when the events in flight alone fill it', async () => {
    const firehose = new ScriptedFirehose();
    firehose.hold();
    const { tracker } = setUp({ maxQueueEvents: 2, maxBatchRecords: 2, whenFull: 'drop-oldest' }, firehose);
    tracker.track(anEvent());
    tracker.track(anEvent());
    await settle();

    const result = tracker.track(anEvent());

    expect(result).toMatchObject({ ok: false, reason: 'queue_full' });
    expect(tracker.stats()).toMatchObject({ inFlight: 2, dropped: 0 });
  });
});

describe('timers', () => {
  it('never keep the process alive, except while a flush is awaited', async () => {
    const setTimer = vi.spyOn(globalThis, 'setTimeout');
    const firehose = new ScriptedFirehose();
    firehose.hold();
    const { tracker } = setUp({}, firehose);
    const timers = () => setTimer.mock.results.map((r) => r.value as NodeJS.Timeout);

    tracker.track(anEvent());
    const idle = timers().map((t) => t.hasRef());
    const flushing = tracker.flush();
    await settle();
    const whileFlushing = timers().map((t) => t.hasRef());
    firehose.release();
    await flushing;
    const intervalTimerAfterwards = timers()[0]?.hasRef();

    expect(idle).toEqual([false]);
    expect(whileFlushing.length).toBeGreaterThan(1);
    expect(whileFlushing.every(Boolean)).toBe(true);
    expect(intervalTimerAfterwards).toBe(false);
  });
});
