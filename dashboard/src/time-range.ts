import { WINDOW_MS } from './summary';

/** A half-open range of window starts in epoch ms, as the summary API takes it (`from` in, `to` out). */
export interface TimeRange {
  from: number;
  to: number;
  /** A preset follows the clock: windows that start later still belong to it. */
  rolling: boolean;
}

export const PRESETS = {
  '3h': { label: 'Last 3 hours', ms: 3 * 3600_000 },
  '24h': { label: 'Last 24 hours', ms: 24 * 3600_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
} as const;
export type PresetName = keyof typeof PRESETS;

// The summary API's own bound (lambdas/summary-api/request.ts).
export const MAX_RANGE_DAYS = 31;

export function windowStartOf(ms: number): number {
  return Math.floor(ms / WINDOW_MS) * WINDOW_MS;
}

/** The windows of the last `preset`, up to and including the one open now. */
export function presetRange(preset: PresetName, now: number): TimeRange {
  const to = windowStartOf(now) + WINDOW_MS;
  return { from: windowStartOf(now - PRESETS[preset].ms) + WINDOW_MS, to, rolling: true };
}

/**
 * A custom range from two `datetime-local` values read as UTC (`2026-11-22T08:00`), or a message
 * saying what is wrong with them.
 */
export function customRange(fromText: string, toText: string): TimeRange | string {
  const from = utcInputValue(fromText);
  const to = utcInputValue(toText);
  if (from === undefined) return 'Enter a start date and time.';
  if (to === undefined) return 'Enter an end date and time.';
  if (from >= to) return 'The end must be after the start.';
  if (to - from > MAX_RANGE_DAYS * 24 * 3600_000) return `The range may span at most ${MAX_RANGE_DAYS} days.`;
  return { from, to, rolling: false };
}

/** `YYYY-MM-DDTHH:MM[:SS]` read as UTC; undefined when empty or malformed. */
export function utcInputValue(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) return undefined;
  const ms = Date.parse(`${text}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The `datetime-local` form of an instant, in UTC, to the minute. */
export function toUtcInputValue(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/** Whether a window pushed live belongs to the range on screen. */
export function rangeHolds(range: TimeRange, windowStart: number): boolean {
  return windowStart >= range.from && (range.rolling || windowStart < range.to);
}

/**
 * A rolling range after a window that starts at or past its end was pushed: moved forward so that
 * it ends after that window and keeps its length (older windows leave it). A fixed range is kept.
 */
export function advanceRolling(range: TimeRange, windowStart: number): TimeRange {
  const end = windowStart + WINDOW_MS;
  if (!range.rolling || end <= range.to) return range;
  return { from: range.from + (end - range.to), to: end, rolling: true };
}
