import { toUtcIso } from '../../contract';
import { windowStartOf } from '../../lambdas/aggregator/windows';

/** The advertisers of the load. Two differ only by case: on a case-insensitive disk they must not share files. */
export const LOAD_ADVERTISERS = [
  ...Array.from({ length: 12 }, (_, i) => `hostile-${String(i).padStart(2, '0')}`),
  'hostile-Case',
  'hostile-case',
  'hostile-corrupt-summary',
] as const;

/** The advertiser whose summary files the fault run corrupts: left out of the exact-summary comparison. */
export const CORRUPTED_ADVERTISER = 'hostile-corrupt-summary';

const EVENT_TYPES = ['impression', 'impression', 'impression', 'pageview', 'click', 'conversion'] as const;

/** A good event as the load sends it: every field derives from (sender, sequence) but its time. */
export interface LoadEvent {
  event_id: string;
  event_type: string;
  advertiser_id: string;
  event_time: string;
  user_id: string;
  campaign_id: string;
  revenue?: number;
}

/** What one window of one advertiser must show once every delivered event is summarised. */
export interface ExpectedWindow {
  events: number;
  impressions: number;
  clicks: number;
  conversions: number;
  pageviews: number;
  users: Set<string>;
  revenue: number;
}

/**
 * Every event the load sent, by sender and sequence, with what the endpoint said about it: kept in
 * columns rather than objects, because a few minutes of load send a million events.
 */
export class Ledger {
  private readonly senders: { times: number[]; sends: number[]; acked: boolean[] }[] = [];

  constructor(private readonly prefix: string) {}

  /** A new event of `sender`, stamped now; call `sent` once it is on its way. */
  next(sender: number, now: number): LoadEvent {
    const column = this.column(sender);
    const sequence = column.times.length;
    column.times.push(now);
    column.sends.push(0);
    column.acked.push(false);
    return this.event(sender, sequence);
  }

  sent(id: string): void {
    const [column, sequence] = this.locate(id);
    column.sends[sequence] = (column.sends[sequence] ?? 0) + 1;
  }

  acked(id: string): void {
    const [column, sequence] = this.locate(id);
    column.acked[sequence] = true;
  }

  /** Ids of every event sent at least once, with whether it was acknowledged and how many times it was sent. */
  *entries(): Generator<{ id: string; acked: boolean; sends: number }> {
    for (const [sender, column] of this.senders.entries()) {
      for (let sequence = 0; sequence < column.times.length; sequence++) {
        const sends = column.sends[sequence] ?? 0;
        if (sends > 0)
          yield { id: this.idOf(sender, sequence), acked: column.acked[sequence] === true, sends };
      }
    }
  }

  /** The event behind an id this ledger handed out. */
  eventOf(id: string): LoadEvent {
    const [, sequence, sender] = this.locate(id);
    return this.event(sender, sequence);
  }

  /**
   * The summaries `delivered` events must produce, by advertiser and window start; `delivered`
   * says which events reached the index (acknowledged ones must all have).
   */
  expectedSummaries(delivered: (id: string) => boolean): Map<string, Map<number, ExpectedWindow>> {
    const expected = new Map<string, Map<number, ExpectedWindow>>();
    for (const { id } of this.entries()) {
      if (!delivered(id)) continue;
      const event = this.eventOf(id);
      const windows = expected.get(event.advertiser_id) ?? new Map<number, ExpectedWindow>();
      expected.set(event.advertiser_id, windows);
      const start = windowStartOf(Date.parse(event.event_time));
      const window = windows.get(start) ?? {
        events: 0,
        impressions: 0,
        clicks: 0,
        conversions: 0,
        pageviews: 0,
        users: new Set<string>(),
        revenue: 0,
      };
      windows.set(start, window);
      window.events += 1;
      if (event.event_type === 'impression') window.impressions += 1;
      if (event.event_type === 'click') window.clicks += 1;
      if (event.event_type === 'conversion') window.conversions += 1;
      if (event.event_type === 'pageview') window.pageviews += 1;
      window.users.add(event.user_id);
      window.revenue += event.revenue ?? 0;
    }
    return expected;
  }

  private event(sender: number, sequence: number): LoadEvent {
    const time = this.column(sender).times[sequence]!;
    const type = EVENT_TYPES[(sequence + sender) % EVENT_TYPES.length]!;
    return {
      event_id: this.idOf(sender, sequence),
      event_type: type,
      advertiser_id: LOAD_ADVERTISERS[(sender * 7 + sequence) % LOAD_ADVERTISERS.length]!,
      event_time: toUtcIso(time),
      user_id: `user-${(sender * 977 + sequence) % 4_000}`,
      campaign_id: `campaign-${sequence % 5}`,
      // Quarters add up exactly in binary floating point, so sums compare exactly.
      ...(type === 'conversion' ? { revenue: ((sequence % 100) + 1) / 4 } : {}),
    };
  }

  private idOf(sender: number, sequence: number): string {
    return `${this.prefix}-${sender}-${sequence}`;
  }

  private locate(id: string): [{ times: number[]; sends: number[]; acked: boolean[] }, number, number] {
    const [sender, sequence] = id
      .slice(this.prefix.length + 1)
      .split('-')
      .map(Number);
    const column = this.senders[sender ?? -1];
    if (column === undefined || sequence === undefined || sequence >= column.times.length) {
      throw new Error(`${id} is not an event of this ledger`);
    }
    return [column, sequence, sender!];
  }

  private column(sender: number) {
    for (let s = this.senders.length; s <= sender; s++)
      this.senders.push({ times: [], sends: [], acked: [] });
    return this.senders[sender]!;
  }
}
