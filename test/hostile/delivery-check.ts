import { type AmountsByCurrency, NO_CURRENCY, type WindowSummary } from '../../lambdas/aggregator/summary';
import { WINDOW_MS } from '../../lambdas/aggregator/windows';
import type { FlushReport } from '../../local/pipeline/local-pipeline';
import { count, type PhaseReport } from './checks';
import { indexedEventCounts, lakeEventCounts, lakeFailures, storedSummaries } from './data-dir-scan';
import type { ExpectedWindow, Ledger } from './ledger';
import type { ServeRunner } from './serve-runner';

/**
 * ClickstreamLocal.Flush (deliver everything acknowledged, then summarise), checked: it must answer
 * within `withinMs` with nothing pending. When it fails, Stats still says whether delivery is done.
 */
export async function checkFlush(
  phase: PhaseReport,
  serve: ServeRunner,
  what: string,
  withinMs: number,
): Promise<FlushReport | undefined> {
  let flushed: FlushReport | 'timeout' | Error;
  try {
    flushed = await serve.flush(withinMs);
  } catch (error) {
    flushed = error instanceof Error ? error : new Error(String(error));
  }
  if (flushed instanceof Error) {
    const pending = await serve.stats().then(
      (stats) => `${count(stats.pending)} pending`,
      () => 'Stats does not answer either',
    );
    phase.check(what, false, `Flush failed (${pending}): ${flushed.message}`);
    return undefined;
  }
  if (flushed === 'timeout') {
    phase.check(what, false, `Flush did not finish within ${withinMs / 1000} s (log: ${serve.log})`);
    return undefined;
  }
  phase.check(
    what,
    flushed.stats.pending === 0,
    `${count(flushed.stats.pending)} pending, ${count(flushed.stats.delivered)} delivered since the last start`,
  );
  return flushed;
}

export interface DeliveryCheckOptions {
  /** Advertisers whose summaries are not compared (their files were corrupted on purpose). */
  skipSummariesOf?: readonly string[];
}

/**
 * Compares what the load sent and what the endpoint acknowledged with what a stopped pipeline left
 * in its data dir: every acknowledged event in the event index exactly once and in the lake, no
 * copies from redelivery, and summaries equal to counts recomputed from the delivered events.
 * Returns the number of acknowledged events lost.
 */
export async function checkDelivery(
  phase: PhaseReport,
  dataDir: string,
  ledger: Ledger,
  options: DeliveryCheckOptions = {},
): Promise<number> {
  const { counts: indexed } = await indexedEventCounts(dataDir);
  const inLake = await lakeEventCounts(dataDir);
  const deadLettered = await deadLetteredEventIds(dataDir);
  let acked = 0;
  let unacked = 0;
  let resent = 0;
  const lost: string[] = [];
  const refused = new Map<string, number>();
  const missingFromLake: string[] = [];
  let indexedTwice = 0;
  let redeliveryCopies = 0;
  let resendCopies = 0;
  for (const { id, acked: wasAcked, sends } of ledger.entries()) {
    if (wasAcked) acked += 1;
    else unacked += 1;
    if (sends > 1) resent += 1;
    const indexCount = indexed.get(id) ?? 0;
    const lakeCount = inLake.get(id) ?? 0;
    const errorReason = deadLettered.get(id);
    if (wasAcked && indexCount === 0 && errorReason === undefined) lost.push(id);
    if (wasAcked && indexCount === 0 && errorReason !== undefined) {
      refused.set(errorReason, (refused.get(errorReason) ?? 0) + 1);
    }
    if (wasAcked && lakeCount === 0) missingFromLake.push(id);
    if (indexCount > 1) indexedTwice += 1;
    // A record sent once is in one spool segment, whose lake object a redelivery overwrites.
    if (sends === 1 && lakeCount > 1) redeliveryCopies += lakeCount - 1;
    if (sends > 1 && lakeCount > 1) resendCopies += lakeCount - 1;
  }
  const unacknowledgedDelivered = [...ledger.entries()].filter((e) => !e.acked && indexed.has(e.id)).length;

  phase.figure(
    'records',
    `${count(acked)} acknowledged, ${count(unacked)} never acknowledged (${count(unacknowledgedDelivered)} of those delivered anyway), ${count(resent)} sent more than once by the clients`,
  );
  phase.figure(
    'lake copies from client resends',
    `${count(resendCopies)} (Firehose is at-least-once; the index counts each once)`,
  );
  phase.check(
    'acknowledged records lost',
    lost.length === 0,
    `${count(lost.length)} of ${count(acked)} neither in the event index nor under errors/${sample(lost)}; ${count(missingFromLake.length)} not in the lake's events/${sample(missingFromLake)}`,
  );
  // Every event of the load is valid: one under errors/ was refused for something else than itself.
  const refusedCount = [...refused.values()].reduce((sum, n) => sum + n, 0);
  phase.check(
    'valid acknowledged records dead-lettered instead of indexed',
    refusedCount === 0,
    refusedCount === 0
      ? '0'
      : `${count(refusedCount)}: ${[...refused].map(([reason, n]) => `${reason} ${count(n)}`).join('; ')}`,
  );
  phase.check('event_ids indexed more than once', indexedTwice === 0, count(indexedTwice));
  phase.check(
    'lake copies from redelivering a spool segment',
    redeliveryCopies === 0,
    count(redeliveryCopies),
  );
  await checkSummaries(phase, dataDir, ledger, (id) => indexed.has(id), options.skipSummariesOf ?? []);
  return lost.length;
}

async function checkSummaries(
  phase: PhaseReport,
  dataDir: string,
  ledger: Ledger,
  delivered: (id: string) => boolean,
  skip: readonly string[],
): Promise<void> {
  const expected = ledger.expectedSummaries(delivered);
  let inflated = 0;
  let missing = 0;
  let windows = 0;
  const mismatches: string[] = [];
  for (const [advertiserId, byWindow] of expected) {
    if (skip.includes(advertiserId)) {
      phase.figure(
        `summaries of ${advertiserId} (not compared)`,
        await agreement(dataDir, advertiserId, byWindow),
      );
      continue;
    }
    const stored = await summariesOver(dataDir, advertiserId, [...byWindow.keys()]);
    if (typeof stored === 'string') {
      for (const want of byWindow.values()) missing += want.events;
      if (mismatches.length < 5) mismatches.push(`${advertiserId}: ${stored}`);
      continue;
    }
    for (const [start, want] of byWindow) {
      windows += 1;
      const got = stored.get(start);
      const events = got?.events ?? 0;
      inflated += Math.max(0, events - want.events);
      missing += Math.max(0, want.events - events);
      const differences = got === undefined ? ['no summary'] : differencesOf(want, got);
      if (differences.length > 0 && mismatches.length < 5) {
        mismatches.push(`${advertiserId} ${new Date(start).toISOString()}: ${differences.join(', ')}`);
      }
    }
  }
  phase.check(
    'duplicates counted in summaries',
    inflated === 0,
    `${count(inflated)} events counted beyond the distinct delivered ones, over ${count(windows)} windows`,
  );
  phase.check(
    'summaries equal counts recomputed from the delivered events',
    missing === 0 && mismatches.length === 0,
    mismatches.length === 0
      ? `${count(windows)} windows exact`
      : `${count(missing)} events missing; ${mismatches.join('; ')}`,
  );
}

/** The event_ids under errors/, each with where and why (`<error output type> <errorCode>: <errorMessage>`). */
async function deadLetteredEventIds(dataDir: string): Promise<Map<string, string>> {
  const reasons = new Map<string, string>();
  for (const { type, record } of await lakeFailures(dataDir)) {
    let id: unknown;
    try {
      id = (JSON.parse(Buffer.from(record.rawData, 'base64').toString('utf8')) as { event_id?: unknown })
        .event_id;
    } catch {
      continue;
    }
    if (typeof id === 'string') {
      reasons.set(id, `${type} ${record.errorCode}: ${String(record.errorMessage).slice(0, 120)}`);
    }
  }
  return reasons;
}

/** The stored summaries of the windows starting at `starts`, or why the store could not be read. */
export async function summariesOver(
  dataDir: string,
  advertiserId: string,
  starts: readonly number[],
): Promise<Map<number, WindowSummary> | string> {
  try {
    return await storedSummaries(dataDir, advertiserId, Math.min(...starts), Math.max(...starts) + WINDOW_MS);
  } catch (error) {
    return `the summary store cannot be read: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Whether one advertiser's stored summaries match, in words. */
async function agreement(
  dataDir: string,
  advertiserId: string,
  byWindow: Map<number, ExpectedWindow>,
): Promise<string> {
  const stored = await summariesOver(dataDir, advertiserId, [...byWindow.keys()]);
  if (typeof stored === 'string') return stored;
  const differing = [...byWindow].filter(([start, want]) => {
    const got = stored.get(start);
    return got === undefined || differencesOf(want, got).length > 0;
  }).length;
  return differing === 0
    ? `all ${byWindow.size} windows exact`
    : `${differing} of ${byWindow.size} windows differ`;
}

function differencesOf(
  want: ExpectedWindow,
  got: {
    events: number;
    impressions: number;
    clicks: number;
    conversions: number;
    pageviews: number;
    uniqueUsers: number;
    revenueByCurrency: AmountsByCurrency;
  },
): string[] {
  const pairs: [string, number, number][] = [
    ['events', want.events, got.events],
    ['impressions', want.impressions, got.impressions],
    ['clicks', want.clicks, got.clicks],
    ['conversions', want.conversions, got.conversions],
    ['pageviews', want.pageviews, got.pageviews],
    ['unique_users', want.users.size, got.uniqueUsers],
    // The load sends no currency: its revenue is kept under NO_CURRENCY, and nowhere else.
    ['revenue_by_currency.XXX', want.revenue, got.revenueByCurrency[NO_CURRENCY] ?? 0],
    ['other currencies', 0, Object.keys(got.revenueByCurrency).filter((c) => c !== NO_CURRENCY).length],
  ];
  return pairs.filter(([, w, g]) => w !== g).map(([name, w, g]) => `${name} ${g} (expected ${w})`);
}

function sample(ids: readonly string[]): string {
  return ids.length === 0 ? '' : ` (e.g. ${ids.slice(0, 3).join(', ')})`;
}
