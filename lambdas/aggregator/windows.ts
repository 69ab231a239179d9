/** Summaries cover 15-minute tumbling windows of event_time, aligned to the UTC epoch. */
export const WINDOW_MS = 15 * 60_000;

/** A half-open interval of epoch milliseconds: `from` included, `to` excluded. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

/** Start of the window holding `epochMillis`. */
export function windowStartOf(epochMillis: number): number {
  return Math.floor(epochMillis / WINDOW_MS) * WINDOW_MS;
}

/** Rounds a duration up to whole windows, so every boundary the run computes stays window-aligned. */
export function wholeWindows(durationMs: number): number {
  return Math.ceil(durationMs / WINDOW_MS) * WINDOW_MS;
}

/** The settings that shape a summary run; the stage config and the local pipeline both provide them. */
export interface SummarySettings {
  /** How long after a window ends late events still change it (rounded up to whole windows). */
  readonly latenessHorizonMinutes: number;
  /** Time between runs; the finalisation margin grows with it (see planRun). */
  readonly summaryScheduleMinutes: number;
}

/** What one run computes, derived from the clock and the settings only. */
export interface RunPlan {
  /** Windows (by event_time) this run recomputes: from the finalisation margin up to the open window. */
  readonly windows: TimeRange;
  /** Windows ending at or before this instant are final. */
  readonly finalUntil: number;
  /** The lateness horizon in milliseconds, in whole windows. */
  readonly horizonMs: number;
}

/**
 * Plans a run at `now`. Windows older than the horizon are final, but the run still rewrites the
 * windows that turned final during the last schedule period plus one window (the margin), so each
 * window is written at least once with `final: true` even when a run starts a little late.
 */
export function planRun(now: number, settings: SummarySettings): RunPlan {
  const horizonMs = wholeWindows(settings.latenessHorizonMinutes * 60_000);
  const marginMs = wholeWindows(settings.summaryScheduleMinutes * 60_000) + WINDOW_MS;
  const openWindow = windowStartOf(now);
  const finalUntil = openWindow - horizonMs;
  return { windows: { from: finalUntil - marginMs, to: openWindow + WINDOW_MS }, finalUntil, horizonMs };
}
