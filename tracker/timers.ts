/**
 * The tracker's timers (batch interval, backoff, request timeout, flush deadline). They never keep
 * the process alive on their own (unref'd), except while someone awaits `flush()` or `close()`:
 * then they are ref'd, so that a script ending in `await tracker.flush()` does not exit half-way
 * through a backoff with its events neither delivered nor reported.
 */
export class TrackerTimers {
  readonly #live = new Set<NodeJS.Timeout>();
  #holdProcess = false;

  after(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#live.delete(timer);
      run();
    }, ms);
    if (!this.#holdProcess) timer.unref();
    this.#live.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#live.delete(timer);
  }

  /** Resolves after `ms`, or as soon as `signal` aborts (the caller checks which). */
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const onAbort = () => {
        this.cancel(timer);
        resolve();
      };
      const timer = this.after(ms, () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  holdProcess(hold: boolean): void {
    if (hold === this.#holdProcess) return;
    this.#holdProcess = hold;
    for (const timer of this.#live) {
      if (hold) timer.ref();
      else timer.unref();
    }
  }
}
