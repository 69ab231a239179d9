import type { StoredEvent } from '../../contract';
import { type TimeRange, WINDOW_MS, windowStartOf } from '../../lambdas/aggregator/windows';
import type { SummaryWorker } from './summary-worker';

/**
 * Summarises the windows each delivery touched as soon as it is delivered, rather than at the next
 * scheduled run, so an open dashboard shows an accepted event within its buffer interval plus a
 * fraction of a second. Deliveries that arrive while a run is under way are merged into the next
 * run (one per advertiser, over the union of their windows), so a burst costs a few runs, not one
 * per delivery. Runs go through the worker, after any scheduled run in progress.
 */
export class DeliverySummaries {
  private pending = new Map<string, TimeRange>();
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly worker: Pick<SummaryWorker, 'windowsOf' | 'summariseWindows'>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** The Ok events of one delivery, now in the event index. */
  delivered(events: readonly StoredEvent[]): void {
    if (this.stopped || events.length === 0) return;
    for (const [advertiserId, range] of touchedRanges(this.worker, events)) {
      const seen = this.pending.get(advertiserId);
      this.pending.set(
        advertiserId,
        seen === undefined
          ? range
          : { from: Math.min(seen.from, range.from), to: Math.max(seen.to, range.to) },
      );
    }
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves once no run is under way or pending. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** Starts no further run (the worker's final run covers what is left), after the one under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending.clear();
    await this.idle();
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0 && !this.stopped) {
      const targets = [...this.pending].map(([advertiserId, windows]) => ({ advertiserId, windows }));
      this.pending = new Map();
      try {
        await this.worker.summariseWindows(targets);
      } catch (error) {
        // The windows stay recorded as unsummarised: the next scheduled run computes them.
        this.onError(error);
      }
    }
  }
}

/**
 * Per advertiser, the windows a delivery changed: from the earliest event's window (no earlier than
 * a scheduled run at its arrival would reach, see SummaryWorker.windowsOf) to the latest window an
 * event falls in or arrived in (late events count in their arrival window).
 */
export function touchedRanges(
  worker: Pick<SummaryWorker, 'windowsOf'>,
  events: readonly StoredEvent[],
): Map<string, TimeRange> {
  const ranges = new Map<string, TimeRange>();
  for (const [advertiserId, from] of worker.windowsOf(events)) {
    ranges.set(advertiserId, { from: windowStartOf(from), to: windowStartOf(from) + WINDOW_MS });
  }
  for (const event of events) {
    const range = ranges.get(event.advertiser_id);
    if (range === undefined) continue;
    const times = [event.event_time, event.received_at].map(Date.parse).filter((t) => !Number.isNaN(t));
    if (times.length === 0) continue;
    const latest = Math.max(...times);
    ranges.set(event.advertiser_id, {
      from: range.from,
      to: Math.max(range.to, windowStartOf(latest) + WINDOW_MS),
    });
  }
  return ranges;
}
