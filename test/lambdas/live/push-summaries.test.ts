import { describe, expect, it } from 'vitest';
import { type SummaryJson, toSummaryJson } from '../../../lambdas/aggregator/summary';
import type { ConnectionPoster, ConnectionStore, PostOutcome } from '../../../lambdas/live/ports';
import { pushSummaries, type SummaryChange } from '../../../lambdas/live/push-summaries';
import { windowSummary } from '../aggregator/support/builders';

const T = (iso: string) => Date.parse(iso);

function summary(advertiserId: string, windowStart: string, events: number): SummaryJson {
  return toSummaryJson(
    windowSummary({
      advertiserId,
      windowStart: T(windowStart),
      computedAt: T('2026-11-22T12:00:00Z'),
      events,
    }),
  );
}

function change(sequenceNumber: string, s: SummaryJson): SummaryChange {
  return { sequenceNumber, summary: s };
}

/** Subscribers per advertiser; `close` calls recorded; a lookup of `broken` fails. */
function fakeStore(subscribers: Record<string, string[]>, broken = new Set<string>()) {
  const closed: string[] = [];
  const lookups: string[] = [];
  const store: ConnectionStore = {
    open: async () => undefined,
    subscribe: async () => 'subscribed',
    unsubscribe: async () => undefined,
    close: async (id) => {
      closed.push(id);
    },
    subscribers: async (advertiserId) => {
      lookups.push(advertiserId);
      if (broken.has(advertiserId)) throw new Error('throttled');
      return subscribers[advertiserId] ?? [];
    },
  };
  return { store, closed, lookups };
}

/** Records what each connection received; answers from `outcomes` (default sent). */
function fakePoster(outcomes: Record<string, PostOutcome> = {}) {
  const received: { connectionId: string; message: unknown }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const poster: ConnectionPoster = {
    post: async (connectionId, data) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await Promise.resolve();
      inFlight--;
      const outcome = outcomes[connectionId] ?? { status: 'sent' };
      if (outcome.status === 'sent') received.push({ connectionId, message: JSON.parse(data) });
      return outcome;
    },
  };
  return { poster, received, maxInFlight: () => maxInFlight };
}

const deps = (store: ConnectionStore, poster: ConnectionPoster, concurrency = 4) => ({
  store,
  poster,
  clock: () => T('2026-11-22T12:00:05Z'),
  concurrency,
});

describe('pushSummaries', () => {
  it('posts each changed window to every subscriber of its advertiser, as the API returns it', async () => {
    const a = summary('adv-a', '2026-11-22T11:45:00Z', 3);
    const b = summary('adv-b', '2026-11-22T11:45:00Z', 4);
    const { store } = fakeStore({ 'adv-a': ['c1', 'c2'], 'adv-b': ['c3'] });
    const { poster, received } = fakePoster();

    const outcome = await pushSummaries([change('1', a), change('2', b)], deps(store, poster));

    expect(received).toEqual(
      expect.arrayContaining([
        { connectionId: 'c1', message: { type: 'summary', summary: a } },
        { connectionId: 'c2', message: { type: 'summary', summary: a } },
        { connectionId: 'c3', message: { type: 'summary', summary: b } },
      ]),
    );
    expect(received).toHaveLength(3);
    expect(outcome).toMatchObject({ sent: 3, gone: 0, failedPosts: [], failedSequenceNumbers: [] });
  });

  it('pushes only the last version of a window changed twice in a batch, and looks subscribers up once', async () => {
    const first = summary('adv-a', '2026-11-22T11:45:00Z', 3);
    const second = summary('adv-a', '2026-11-22T11:45:00Z', 5);
    const other = summary('adv-a', '2026-11-22T11:30:00Z', 1);
    const { store, lookups } = fakeStore({ 'adv-a': ['c1'] });
    const { poster, received } = fakePoster();

    await pushSummaries([change('1', first), change('2', other), change('3', second)], deps(store, poster));

    expect(received.map((r) => r.message)).toEqual([
      { type: 'summary', summary: other },
      { type: 'summary', summary: second },
    ]);
    expect(lookups).toEqual(['adv-a']);
  });

  it('removes a connection that is gone and sends it nothing more', async () => {
    const windows = ['11:00', '11:15', '11:30'].map((t) => summary('adv-a', `2026-11-22T${t}:00Z`, 1));
    const { store, closed } = fakeStore({ 'adv-a': ['gone', 'live'] });
    const { poster, received } = fakePoster({ gone: { status: 'gone' } });

    const outcome = await pushSummaries(
      windows.map((w, i) => change(String(i), w)),
      deps(store, poster, 1),
    );

    expect(closed).toEqual(['gone']);
    expect(outcome.gone).toBe(1);
    expect(outcome.sent).toBe(3);
    expect(received.every((r) => r.connectionId === 'live')).toBe(true);
    expect(outcome.failedSequenceNumbers).toEqual([]);
  });

  it('reports the records of a window whose post failed retryably, and not the others', async () => {
    const a = summary('adv-a', '2026-11-22T11:45:00Z', 1);
    const a2 = summary('adv-a', '2026-11-22T11:45:00Z', 2);
    const b = summary('adv-b', '2026-11-22T11:45:00Z', 1);
    const { store } = fakeStore({ 'adv-a': ['throttled'], 'adv-b': ['ok'] });
    const { poster } = fakePoster({
      throttled: { status: 'failed', error: 'LimitExceeded', retryable: true },
    });

    const outcome = await pushSummaries(
      [change('1', a), change('2', b), change('3', a2)],
      deps(store, poster),
    );

    expect(outcome.failedSequenceNumbers).toEqual(['1', '3']);
    expect(outcome.failedPosts).toEqual([
      { connectionId: 'throttled', advertiserId: 'adv-a', error: 'LimitExceeded' },
    ]);
  });

  it('counts a post refused for good (payload, permission) without retrying the record', async () => {
    const { store } = fakeStore({ 'adv-a': ['c1'] });
    const { poster } = fakePoster({ c1: { status: 'failed', error: 'Forbidden', retryable: false } });

    const outcome = await pushSummaries(
      [change('1', summary('adv-a', '2026-11-22T11:45:00Z', 1))],
      deps(store, poster),
    );

    expect(outcome.failedPosts).toHaveLength(1);
    expect(outcome.failedSequenceNumbers).toEqual([]);
  });

  it('reports the records of an advertiser whose lookup failed, and still pushes the others', async () => {
    const { store } = fakeStore({ 'adv-b': ['c1'] }, new Set(['adv-a']));
    const { poster, received } = fakePoster();

    const outcome = await pushSummaries(
      [
        change('1', summary('adv-a', '2026-11-22T11:45:00Z', 1)),
        change('2', summary('adv-b', '2026-11-22T11:45:00Z', 1)),
      ],
      deps(store, poster),
    );

    expect(outcome.failedSequenceNumbers).toEqual(['1']);
    expect(received).toHaveLength(1);
  });

  it('keeps at most `concurrency` posts in flight', async () => {
    const subscribers = Array.from({ length: 40 }, (_, i) => `c${i}`);
    const { store } = fakeStore({ 'adv-a': subscribers });
    const { poster, received, maxInFlight } = fakePoster();

    await pushSummaries([change('1', summary('adv-a', '2026-11-22T11:45:00Z', 1))], deps(store, poster, 5));

    expect(received).toHaveLength(40);
    expect(maxInFlight()).toBe(5);
  });

  it('does nothing for a batch with no subscribers', async () => {
    const { store } = fakeStore({});
    const { poster, received } = fakePoster();

    const outcome = await pushSummaries(
      [change('1', summary('adv-a', '2026-11-22T11:45:00Z', 1))],
      deps(store, poster),
    );

    expect(received).toEqual([]);
    expect(outcome).toMatchObject({ sent: 0, failedSequenceNumbers: [] });
  });
});
