import type { TimestampInput } from './event.generated';
import schema from './event.schema.json' with { type: 'json' };

/**
 * The instants an event may name, inclusive, in epoch milliseconds: 2000-01-01T00:00:00.000Z to
 * 2099-12-31T23:59:59.999Z. One pair for every form: the schema states it as TimestampInput's
 * `minimum`/`maximum` (which bound epoch milliseconds), the contract's `date-time` format holds a
 * text time to it once its offset is applied, and the stored form (UTC, years 20xx) spans exactly
 * it, so that every accepted time has a stored form.
 */
export const EVENT_TIME_RANGE: { readonly firstMs: number; readonly lastMs: number } = Object.freeze({
  firstMs: schema.$defs.TimestampInput.minimum,
  lastMs: schema.$defs.TimestampInput.maximum,
});

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
  const stored = storedFormMillis(value);
  if (!Number.isNaN(stored)) return stored;
  const m = RFC3339.exec(value);
  if (m === null) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return Number.NaN;
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const local = utcMillis(year, month, day, Number(h), Number(mi), Number(s), millis);
  if (zulu !== undefined) return local;
  if (Number(oh) > 23 || Number(om) > 59) return Number.NaN;
  const offsetMinutes = (Number(oh) * 60 + Number(om)) * (sign === '-' ? -1 : 1);
  return local - offsetMinutes * 60_000;
}

/**
 * Epoch milliseconds of a time already in the stored form (`2026-11-22T07:35:00.123Z`: UTC,
 * milliseconds, a real day, hours up to 23, minutes and seconds up to 59), read digit by digit;
 * NaN for any other text. Trackers send this form (it is `Date.toISOString()`), so it is the common
 * case of both validation and normalisation, and reading it is several times cheaper than the
 * general RFC 3339 parse. The text of any time it accepts is exactly `toUtcIso` of the result.
 */
export function storedFormMillis(text: string): number {
  if (
    text.length !== 24 ||
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== T ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON ||
    text.charCodeAt(19) !== DOT ||
    text.charCodeAt(23) !== Z
  ) {
    return Number.NaN;
  }
  // NaN (a non-digit) fails every comparison below, so each check is written to pass only numbers.
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hours = digitsAt(text, 11, 2);
  const minutes = digitsAt(text, 14, 2);
  const seconds = digitsAt(text, 17, 2);
  const millis = digitsAt(text, 20, 3);
  const inRange =
    year >= 0 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hours <= 23 &&
    minutes <= 59 &&
    seconds <= 59 &&
    millis >= 0;
  return inRange ? utcMillis(year, month, day, hours, minutes, seconds, millis) : Number.NaN;
}

const DASH = 0x2d;
const T = 0x54;
const COLON = 0x3a;
const DOT = 0x2e;
const Z = 0x5a;

/** The number written by `count` ASCII digits from `from`; NaN if any of them is not a digit. */
function digitsAt(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Date.UTC with a literal year (month 1-12): Date.UTC reads the years 0-99 as 1900-1999, so those
 * are computed 400 years later, after which the Gregorian calendar repeats to the day.
 */
function utcMillis(
  year: number,
  month: number,
  day: number,
  hours: number,
  minutes: number,
  seconds: number,
  millis: number,
): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, hours, minutes, seconds, millis);
  return Date.UTC(year + 400, month - 1, day, hours, minutes, seconds, millis) - MS_PER_400_YEARS;
}

const MS_PER_400_YEARS = 146_097 * 86_400_000;

/** ISO-8601 UTC with milliseconds (`2026-11-22T07:35:00.000Z`), the only time format the pipeline stores. */
export function toUtcIso(epochMillis: number): string {
  return new Date(epochMillis).toISOString();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}
