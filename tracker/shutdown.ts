import type { FlushOptions, Tracker } from './tracker';

export interface ShutdownOptions {
  /**
   * Signals that close the trackers.
   * @default ['SIGTERM', 'SIGINT']
   */
  signals?: NodeJS.Signals[];
  /**
   * Longest wait for delivery on a signal; what is left is reported to `onError` (code `FlushTimeout`).
   * Keep it under your platform's grace period (ECS and Kubernetes: 30 s by default).
   * @default 10000
   */
  timeoutMs?: number;
}

/**
 * Graceful shutdown for servers. On SIGTERM or SIGINT, closes the trackers (delivering or reporting
 * everything) and then lets the signal do what it would have done: if nothing else listens for it,
 * the process is signalled again and ends the usual way; if the application has its own handler,
 * ending the process is left to it. When the process is about to exit on its own with events still
 * buffered (`beforeExit`), they are flushed first. Returns a function that removes the listeners.
 */
export function closeOnShutdown(trackers: Tracker | Tracker[], options: ShutdownOptions = {}): () => void {
  const all = Array.isArray(trackers) ? trackers : [trackers];
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const timeoutMs = options.timeoutMs ?? 10_000;
  const onSignal = async (signal: NodeJS.Signals) => {
    uninstall();
    await Promise.all(all.map((tracker) => tracker.close({ timeoutMs })));
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const onBeforeExit = () => {
    for (const tracker of all) {
      const { queued, inFlight } = tracker.stats();
      // flush keeps the loop alive until it settles; the next beforeExit then finds nothing to do.
      if (queued + inFlight > 0) void tracker.flush({ timeoutMs });
    }
  };
  const uninstall = () => {
    for (const signal of signals) process.off(signal, onSignal);
    process.off('beforeExit', onBeforeExit);
  };
  for (const signal of signals) process.once(signal, onSignal);
  process.on('beforeExit', onBeforeExit);
  return uninstall;
}

/**
 * Wraps a Lambda handler so that it flushes before returning (or throwing): once a handler returns,
 * Lambda freezes the process and anything still buffered would wait, undelivered, for the next
 * invocation, or be lost with the execution environment. `flush.timeoutMs` bounds the wait; keep it
 * below the function's timeout.
 */
export function flushAfter<TArgs extends unknown[], TResult>(
  tracker: Tracker,
  handler: (...args: TArgs) => Promise<TResult> | TResult,
  flush: FlushOptions = {},
): (...args: TArgs) => Promise<TResult> {
  return async (...args) => {
    try {
      return await handler(...args);
    } finally {
      await tracker.flush(flush);
    }
  };
}
