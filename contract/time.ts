import type { TimestampInput } from './event.generated';

// The shapes RFC 3339 allows for `date-time`: either separator, optional fraction,
// `Z` or an offset with or without a colon. Date.parse does not accept all of them, so parse here.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Epoch milliseconds of a validated timestamp (ISO-8601 with offset, or epoch millis).
 * Returns NaN for text that is not RFC 3339 or names a day that does not exist.
 * Fractions below a millisecond are truncated; a leap second (:60) counts as the next second.
 */
export function toEpochMillis(value: TimestampInput): number {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : Number.NaN;
  const m = RFC3339.exec(value);
  if (m === null) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return Number.NaN;
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const local = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s), millis);
  if (zulu !== undefined) return local;
  if (Number(oh) > 23 || Number(om) > 59) return Number.NaN;
  const offsetMinutes = (Number(oh) * 60 + Number(om)) * (sign === '-' ? -1 : 1);
  return local - offsetMinutes * 60_000;
}

/** ISO-8601 UTC with milliseconds (`2026-11-22T07:35:00.000Z`), the only time format the pipeline stores. */
export function toUtcIso(epochMillis: number): string {
  return new Date(epochMillis).toISOString();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}
