import type { ParameterRange, ParameterType, RangeBound, SavedQuery, SavedQueryParameter } from './catalog';
import { editDistance } from './lookup';

/** A parameter value as the engines take it: dates and strings as text, integers as numbers. */
export type ParameterValue = string | number;

/** A missing, surplus, unknown, malformed or out-of-range parameter value; the message names the parameter and what it accepts. */
export class ParameterError extends Error {
  override name = 'ParameterError';
}

// Athena caps each execution parameter at 1024 characters.
const MAX_VALUE_LENGTH = 1024;

/** What a value of each type looks like, for messages. */
export const PARAMETER_FORMATS: Record<ParameterType, string> = {
  date: 'a date YYYY-MM-DD',
  integer: 'a whole number',
  string: `text of 1 to ${MAX_VALUE_LENGTH} characters`,
};

// `name=value`: a value given by name. The name part is any identifier, so that a misspelt name is
// refused as unknown instead of being taken as the next value in order.
const NAMED = /^([A-Za-z][A-Za-z0-9_]*)=/;

/**
 * One value per parameter of `query`, from the user's raw values: `value` in header order, or
 * `name=value` for a declared parameter name. Each value must have its type's form and lie in the
 * range the header gives it (a bound naming another parameter compares with that parameter's value).
 * Throws ParameterError naming the first problem.
 */
export function parseParameterValues(
  query: SavedQuery,
  raw: readonly string[],
  now: number = Date.now(),
): Map<string, ParameterValue> {
  const byName = new Map<string, string>();
  const positional: string[] = [];
  const declared = new Set(query.parameters.map((p) => p.name));
  for (const entry of raw) {
    const name = NAMED.exec(entry)?.[1];
    if (name === undefined) {
      positional.push(entry);
      continue;
    }
    if (!declared.has(name)) throw unknownParameter(query, name, entry);
    if (byName.has(name)) throw new ParameterError(`parameter ${name} is given twice`);
    byName.set(name, entry.slice(name.length + 1));
  }
  const unnamed = query.parameters.filter((p) => !byName.has(p.name));
  if (positional.length > unnamed.length) {
    throw new ParameterError(
      `${query.name} takes ${query.parameters.length} parameter(s) (${signature(query)}), got ${raw.length}`,
    );
  }
  unnamed.forEach((p, i) => {
    const value = positional[i];
    if (value !== undefined) byName.set(p.name, value);
  });

  const values = new Map<string, ParameterValue>();
  for (const p of query.parameters) {
    const text = byName.get(p.name);
    if (text === undefined) {
      throw new ParameterError(
        `missing parameter ${p.name}, ${accepted(p)}: ${p.description} Usage: ${query.name} ${signature(query)}`,
      );
    }
    values.set(p.name, parseValue(p, p.type === 'date' ? (relativeDate(text, now) ?? text) : text));
  }
  for (const p of query.parameters) {
    const value = values.get(p.name)!;
    if (!inRange(value, p.range, values)) {
      throw new ParameterError(
        `parameter ${p.name} must be ${accepted(p, values)}, got "${byName.get(p.name)}"`,
      );
    }
  }
  return values;
}

/** `start_date:date end_date:date`, for usage lines. */
export function signature(query: SavedQuery): string {
  return query.parameters.map((p) => `${p.name}:${p.type}`).join(' ') || 'no parameters';
}

/**
 * What `p` accepts, in words: `a whole number from 1 to 1440`, `a date YYYY-MM-DD on or after
 * start_date` (with that parameter's value in parentheses when `values` holds it).
 */
function accepted(p: SavedQueryParameter, values?: ReadonlyMap<string, ParameterValue>): string {
  const range = rangeText(p, values);
  if (range === '') return PARAMETER_FORMATS[p.type];
  return `${PARAMETER_FORMATS[p.type]} ${range.startsWith('at ') ? 'of ' : ''}${range}`;
}

/** The range alone (`from 1 to 1440`, `at least 1`, `on or after start_date`), or '' when there is none. */
export function rangeText(p: SavedQueryParameter, values?: ReadonlyMap<string, ParameterValue>): string {
  const bound = (b: RangeBound): string => {
    if ('value' in b) return String(b.value);
    const value = values?.get(b.parameter);
    return value === undefined ? b.parameter : `${b.parameter} (${value})`;
  };
  const { min, max } = p.range ?? {};
  if (min !== undefined && max !== undefined) return `from ${bound(min)} to ${bound(max)}`;
  const date = p.type === 'date';
  if (min !== undefined) return `${date ? 'on or after' : 'at least'} ${bound(min)}`;
  if (max !== undefined) return `${date ? 'on or before' : 'at most'} ${bound(max)}`;
  return '';
}

/** `text` as a value of `type`, or undefined when it does not have the type's form (no range applied). */
export function parseLiteral(type: ParameterType, text: string): ParameterValue | undefined {
  switch (type) {
    case 'date': {
      const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      if (match === null) return undefined;
      const [, y, m, d] = match.map(Number);
      const day = new Date(Date.UTC(y!, m! - 1, d!));
      const real = day.getUTCFullYear() === y && day.getUTCMonth() === m! - 1 && day.getUTCDate() === d;
      return real ? text : undefined;
    }
    case 'integer': {
      const value = Number(text);
      return /^-?\d+$/.test(text) && Number.isSafeInteger(value) ? value : undefined;
    }
    case 'string':
      return text.length === 0 || text.length > MAX_VALUE_LENGTH ? undefined : text;
  }
}

const DAY_MS = 86_400_000;
// `today`, `yesterday`, `today-7`, `today+1`: days relative to the current UTC day, so that a
// command in the docs keeps working on a fresh demo, whose traffic covers the last 24 hours.
const RELATIVE_DATE = /^(today|yesterday)(?:([+-])(\d{1,5}))?$/;

/** `text` as a YYYY-MM-DD date when it is a relative form (today, yesterday, today-N, today+N), else undefined. */
export function relativeDate(text: string, now: number): string | undefined {
  const match = RELATIVE_DATE.exec(text.trim().toLowerCase());
  if (match === null) return undefined;
  const [, base, sign, amount] = match;
  const offset = (base === 'yesterday' ? -1 : 0) + (sign === undefined ? 0 : Number(`${sign}${amount}`));
  const day = Math.floor(now / DAY_MS) + offset;
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Orders two values of one type: integers by number, dates (YYYY-MM-DD) by text, which is day order. */
export function compareValues(a: ParameterValue, b: ParameterValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function inRange(
  value: ParameterValue,
  range: ParameterRange | undefined,
  values: ReadonlyMap<string, ParameterValue>,
): boolean {
  const of = (b: RangeBound) => ('value' in b ? b.value : values.get(b.parameter)!);
  if (range?.min !== undefined && compareValues(value, of(range.min)) < 0) return false;
  if (range?.max !== undefined && compareValues(value, of(range.max)) > 0) return false;
  return true;
}

function unknownParameter(query: SavedQuery, name: string, entry: string): ParameterError {
  const names = query.parameters.map((p) => p.name);
  const closest = names
    .map((known) => ({ known, distance: editDistance(name.toLowerCase(), known) }))
    .filter((c) => c.distance <= 2)
    .sort((a, b) => a.distance - b.distance)[0];
  const text = query.parameters.find((p) => p.type === 'string');
  return new ParameterError(
    `unknown parameter ${name}${closest === undefined ? '' : ` (did you mean ${closest.known}?)`}; ` +
      `${query.name} takes ${names.join(', ') || 'no parameters'}` +
      (text === undefined ? '' : `; a text value holding "=" goes by name: ${text.name}=${entry}`),
  );
}

function parseValue(p: SavedQueryParameter, text: string): ParameterValue {
  const value = parseLiteral(p.type, text);
  if (value === undefined)
    throw new ParameterError(`parameter ${p.name} must be ${accepted(p)}, got "${text}"`);
  // The cap applies to what Athena receives: the literal, with its quotes and doubled inner quotes.
  const literalLength = athenaLiteral(value).length;
  if (literalLength > MAX_VALUE_LENGTH) {
    throw new ParameterError(
      `parameter ${p.name} is too long: ${literalLength} characters as an Athena literal (quotes added, inner quotes doubled), at most ${MAX_VALUE_LENGTH}`,
    );
  }
  return value;
}

/**
 * An Athena execution parameter: the value as a SQL literal, since Athena substitutes it into the
 * statement; text is quoted with embedded quotes doubled, numbers stay bare.
 */
export function athenaLiteral(value: ParameterValue): string {
  return typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`;
}
