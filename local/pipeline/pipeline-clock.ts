import type { Clock } from '../../lambdas/aggregator/ports';

/** Work due at a time: a buffer's delivery deadline, a scheduled summary run. */
export type ScheduledWork = () => unknown;

/**
 * The time the local pipeline runs on: what it stamps as each record's arrival, what it buffers and
 * summarises by, and when its timed work (buffer deadlines, summary runs) happens.
 */
export interface PipelineClock {
  now: Clock;
  /** Runs `work` once at `time` on this clock; returns a function that cancels it. */
  at(time: number, work: ScheduledWork): () => void;
}

/** Wall time (or `now`, a test's fixed clock) with Node's timers; they never keep the process alive. */
export function systemClock(now: Clock = Date.now): PipelineClock {
  return {
    now,
    at: (time, work) => {
      const timer = setTimeout(work, Math.max(0, time - now())).unref();
      return () => clearTimeout(timer);
    },
  };
}

/** The pipeline's clock from its `clock` option: a time function gets Node's timers. */
export function pipelineClock(option: Clock | PipelineClock | undefined): PipelineClock {
  if (option === undefined) return systemClock();
  return typeof option === 'function' ? systemClock(option) : option;
}

interface Timer {
  time: number;
  /** Breaks ties between timers due at the same time: the first set runs first. */
  order: number;
  work: ScheduledWork;
}

/**
 * A clock that moves only when told: a timed replay sets it to each record's recorded arrival, and
 * whatever falls due on the way (a buffer delivered, a summary run) runs at its own time, to the
 * end, before the clock moves on. A day replays in seconds, and the pipeline sees it as it happened.
 */
export class SimulatedClock implements PipelineClock {
  private time: number;
  private timers: Timer[] = [];
  private set = 0;

  constructor(start: number) {
    this.time = start;
  }

  readonly now: Clock = () => this.time;

  at(time: number, work: ScheduledWork): () => void {
    const timer: Timer = { time, order: this.set++, work };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** True when some work falls due at or before `time`. */
  hasWorkDueBy(time: number): boolean {
    return this.timers.some((t) => t.time <= time);
  }

  /**
   * Moves the clock forward to `time`, running the work due on the way in time order, each at its
   * own time and awaited; work set meanwhile for a time already passed runs too. Never moves back.
   */
  async advanceTo(time: number): Promise<void> {
    for (let next = this.nextDueBy(time); next !== undefined; next = this.nextDueBy(time)) {
      this.timers = this.timers.filter((t) => t !== next);
      this.time = Math.max(this.time, next.time);
      await next.work();
    }
    this.time = Math.max(this.time, time);
  }

  private nextDueBy(time: number): Timer | undefined {
    let next: Timer | undefined;
    for (const timer of this.timers) {
      if (timer.time > time) continue;
      if (
        next === undefined ||
        timer.time < next.time ||
        (timer.time === next.time && timer.order < next.order)
      )
        next = timer;
    }
    return next;
  }
}
