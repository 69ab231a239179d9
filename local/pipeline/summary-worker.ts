import { runSummaryCycle, type SummaryCycleOutcome } from '../../lambdas/aggregator/cycle';
import type { Clock, SummaryStore } from '../../lambdas/aggregator/ports';
import { type SummarizeDeps, summarizeTargets } from '../../lambdas/aggregator/summarize';
import { planRun, windowStartOf } from '../../lambdas/aggregator/windows';
import type { RefreshableEventIndex } from '../event-index/local-event-index';

export interface SummaryWorkerOptions {
  /**
   * DuckDB, which the core asks for many advertisers at once, or OpenSearch, which it asks once per
   * advertiser as the AWS workers do (summarizeTargets picks by the index's shape). Refreshed
   * before each run.
   */
  eventIndex: RefreshableEventIndex;
  summaryStore: SummaryStore;
  /** Seconds between scheduled runs; 0 turns the schedule off (runs on demand only). */
  intervalSeconds: number;
  latenessHorizonMinutes: number;
  clock?: Clock;
  onRun?: (outcome: SummaryCycleOutcome) => void;
  onError?: (error: unknown) => void;
}

/** The earliest event time seen per advertiser: what a replay touched. */
export type TouchedWindows = Map<string, number>;

export interface BackfillOutcome {
  advertisers: number;
  windowsWritten: number;
}

/**
 * The local stand-in for the EventBridge schedule, the dispatcher and the workers: the same
 * summary cycle as the Lambdas, every few seconds and on demand. Runs never overlap.
 */
export class SummaryWorker {
  private timer: NodeJS.Timeout | undefined;
  private scheduledRunBusy = false;
  private running: Promise<unknown> = Promise.resolve();
  private readonly clock: Clock;

  constructor(private readonly options: SummaryWorkerOptions) {
    this.clock = options.clock ?? Date.now;
  }

  start(): void {
    if (this.options.intervalSeconds <= 0) return;
    this.timer = setInterval(() => {
      // A run longer than the interval makes the next tick wait rather than pile up runs.
      if (this.scheduledRunBusy) return;
      this.scheduledRunBusy = true;
      this.runNow()
        .then(this.options.onRun, this.options.onError)
        .finally(() => {
          this.scheduledRunBusy = false;
        });
    }, this.options.intervalSeconds * 1000).unref();
  }

  /** One cycle now (after any run in progress): the windows within the lateness horizon. */
  runNow(): Promise<SummaryCycleOutcome> {
    return this.serialised(async () => {
      await this.options.eventIndex.refresh();
      return runSummaryCycle(this.deps());
    });
  }

  /**
   * Computes every window from each advertiser's earliest touched event up to now, including
   * windows already past the lateness horizon (a scheduled run no longer revisits those): what a
   * replay of historical traffic needs. Windows past the horizon are stored as final.
   */
  backfill(touched: TouchedWindows): Promise<BackfillOutcome> {
    return this.serialised(async () => {
      await this.options.eventIndex.refresh();
      const deps = this.deps();
      const horizon = planRun(this.clock(), deps.settings).windows;
      const targets = [...touched].map(([advertiserId, earliest]) => ({
        advertiserId,
        windows: { from: Math.min(windowStartOf(earliest), horizon.from), to: horizon.to },
      }));
      const outcomes = await summarizeTargets(deps, targets);
      return {
        advertisers: touched.size,
        windowsWritten: outcomes.reduce((sum, o) => sum + o.windowsWritten, 0),
      };
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running.catch(() => undefined);
  }

  private deps(): SummarizeDeps {
    return {
      eventIndex: this.options.eventIndex,
      summaryStore: this.options.summaryStore,
      clock: this.clock,
      settings: {
        latenessHorizonMinutes: this.options.latenessHorizonMinutes,
        // The margin planRun adds is at least one window, so a schedule in seconds is fine.
        summaryScheduleMinutes: Math.max(this.options.intervalSeconds, 1) / 60,
      },
    };
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.running.then(work, work);
    this.running = next.catch(() => undefined);
    return next;
  }
}

/** Adds delivered events to a touched-windows map. */
export function touch(
  touched: TouchedWindows,
  events: readonly { advertiser_id: string; event_time: string }[],
): void {
  for (const event of events) {
    const time = Date.parse(event.event_time);
    const seen = touched.get(event.advertiser_id);
    if (seen === undefined || time < seen) touched.set(event.advertiser_id, time);
  }
}
