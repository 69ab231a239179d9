/** Runs a job every `intervalMs`, never two at once (a slow run delays the next instead of overlapping it). */
export interface Schedule {
  /** Stops scheduling; resolves once a run in progress has ended. */
  stop(): Promise<void>;
}

export function everyInterval(intervalMs: number, job: () => Promise<void>): Schedule {
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped || running !== undefined) return;
    running = job().finally(() => {
      running = undefined;
    });
  };
  const timer = setInterval(tick, intervalMs);
  // A schedule alone must not keep the process alive.
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
