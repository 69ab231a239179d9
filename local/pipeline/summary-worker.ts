import { runSummaryCycle, type SummaryCycleOutcome } from '../../lambdas/aggregator/cycle';
import type { Clock, SummaryStore } from '../../lambdas/aggregator/ports';
import { type SummarizeDeps, type SummaryTarget, summarizeTargets } from '../../lambdas/aggregator/summarize';
import { planRun, windowStartOf } from '../../lambdas/aggregator/windows';
import type { RefreshableEventIndex } from '../event-index/local-event-index';
import { type PipelineClock, pipelineClock } from './pipeline-clock';
import { merge, type SettledWindows, type UnsummarisedWindows } from './unsummarised-windows';

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
  /** Runs read it, and the schedule runs on it (a timed replay's simulated clock). @default Date.now */
  clock?: Clock | PipelineClock;
  onRun?: (outcome: SummaryCycleOutcome) => void;
  onError?: (error: unknown) => void;
  /** Windows delivered since the last run (see UnsummarisedWindows): every run summarises them, then forgets them. */
  unsummarised?: UnsummarisedWindows;
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
  private cancelNextRun: (() => void) | undefined;
  private stopped = false;
  private running: Promise<unknown> = Promise.resolve();
  private readonly schedule: PipelineClock;
  private readonly clock: Clock;

  constructor(private readonly options: SummaryWorkerOptions) {
    this.schedule = pipelineClock(options.clock);
    this.clock = this.schedule.now;
  }

  start(): void {
    if (this.options.intervalSeconds <= 0) return;
    this.scheduleRunAt(this.clock() + this.intervalMs);
  }

  private get intervalMs(): number {
    return this.options.intervalSeconds * 1000;
  }

  /** The next scheduled run; the one after it is set when it ends, so slow runs never pile up. */
  private scheduleRunAt(time: number): void {
    if (this.stopped) return;
    this.cancelNextRun = this.schedule.at(time, async () => {
      await this.runNow().then(this.options.onRun, this.options.onError);
      this.scheduleRunAt(this.clock() + this.intervalMs);
    });
  }

  /**
   * One cycle now (after any run in progress): the windows within the lateness horizon, and
   * further back for the windows delivered since the last run that the horizon no longer reaches
   * (records delivered long after they arrived, or left unsummarised by a previous process).
   */
  runNow(): Promise<SummaryCycleOutcome> {
    return this.serialised(async () => {
      const settled = this.settled();
      await this.options.eventIndex.refresh();
      const cycle = await runSummaryCycle(this.deps());
      // Planned after the cycle, so a window boundary passed meanwhile only widens what is caught up.
      const horizonFrom = planRun(this.clock(), this.deps().settings).windows.from;
      const behind = new Map([...settled.windows].filter(([, from]) => from < horizonFrom));
      const caughtUp = await this.recompute(behind);
      await this.options.unsummarised?.forget(settled);
      return { ...cycle, windowsWritten: cycle.windowsWritten + caughtUp.windowsWritten };
    });
  }

  /**
   * Computes every window from each advertiser's earliest touched event up to now, including
   * windows already past the lateness horizon (a scheduled run no longer revisits those): what a
   * replay of historical traffic needs. Windows past the horizon are stored as final. The windows
   * delivered since the last run are computed too.
   */
  backfill(touched: TouchedWindows): Promise<BackfillOutcome> {
    return this.serialised(async () => {
      const settled = this.settled();
      const windows = merge([touched, settled.windows]);
      if (windows.size === 0) return { advertisers: 0, windowsWritten: 0 };
      await this.options.eventIndex.refresh();
      const outcome = await this.recompute(windows);
      await this.options.unsummarised?.forget(settled);
      return outcome;
    });
  }

  /**
   * Recomputes exactly the windows given (per advertiser, window-aligned), after any run in
   * progress: what a delivery touched, summarised as soon as it is delivered (DeliverySummaries).
   * The windows stay recorded as unsummarised until a scheduled run or finish() covers them.
   */
  summariseWindows(targets: readonly SummaryTarget[]): Promise<BackfillOutcome> {
    return this.serialised(async () => {
      if (targets.length === 0) return { advertisers: 0, windowsWritten: 0 };
      await this.options.eventIndex.refresh();
      const outcomes = await summarizeTargets(this.deps(), targets);
      return {
        advertisers: targets.length,
        windowsWritten: outcomes.reduce((sum, o) => sum + o.windowsWritten, 0),
      };
    });
  }

  /**
   * Stops the schedule and, after any run in progress, summarises the windows delivered since the
   * last run, so a stop leaves nothing delivered unsummarised.
   */
  async finish(): Promise<BackfillOutcome> {
    await this.stop();
    return this.backfill(new Map());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelNextRun?.();
    await this.running.catch(() => undefined);
  }

  /**
   * The windows to recompute once `events` are indexed: from each event's window, but no earlier
   * than the oldest window a run at its arrival would have recomputed (older windows were final
   * then: the event counts as late where it arrived).
   */
  windowsOf(
    events: readonly { advertiser_id: string; event_time: string; received_at: string }[],
  ): TouchedWindows {
    const windows: TouchedWindows = new Map();
    const { settings } = this.deps();
    for (const event of events) {
      const time = Date.parse(event.event_time);
      const arrived = Date.parse(event.received_at);
      const from = Number.isNaN(arrived)
        ? time
        : Math.max(windowStartOf(time), planRun(arrived, settings).windows.from);
      const seen = windows.get(event.advertiser_id);
      if (seen === undefined || from < seen) windows.set(event.advertiser_id, from);
    }
    return windows;
  }

  private settled(): SettledWindows {
    return this.options.unsummarised?.settled() ?? { windows: new Map(), entries: [] };
  }

  /** Every window of each advertiser from its time up to now, and at least those within the horizon. */
  private async recompute(touched: TouchedWindows): Promise<BackfillOutcome> {
    if (touched.size === 0) return { advertisers: 0, windowsWritten: 0 };
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
