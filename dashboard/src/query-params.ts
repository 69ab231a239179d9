// The parameter form's rules, from each query's header as /api/queries returns it. The server checks
// the same rules again (analytics/parameters.ts) and its typed error is shown when they differ. No
// DOM here: the tests import it.

export type RangeBound = { value: string | number } | { parameter: string };

export interface QueryParameter {
  name: string;
  type: 'date' | 'integer' | 'string';
  description: string;
  range?: { min?: RangeBound; max?: RangeBound };
}

export interface SavedQueryInfo {
  name: string;
  description: string;
  parameters: QueryParameter[];
}

export type FormValue = string | number;

/** The attributes of a parameter's input: the input type and the bounds known from the other values. */
export interface InputRules {
  type: 'date' | 'number' | 'text';
  min?: string;
  max?: string;
  step?: string;
  maxLength?: number;
}

// Athena caps each execution parameter at 1024 characters.
const MAX_TEXT = 1024;

export function inputRules(p: QueryParameter, texts: ReadonlyMap<string, string>): InputRules {
  const bound = (b: RangeBound | undefined) => {
    if (b === undefined) return undefined;
    if ('value' in b) return String(b.value);
    const other = texts.get(b.parameter);
    return other === undefined || other === '' ? undefined : other;
  };
  const ends = { min: bound(p.range?.min), max: bound(p.range?.max) };
  const defined = Object.fromEntries(Object.entries(ends).filter(([, v]) => v !== undefined));
  switch (p.type) {
    case 'date':
      return { type: 'date', ...defined };
    case 'integer':
      return { type: 'number', step: '1', ...defined };
    case 'string':
      return { type: 'text', maxLength: MAX_TEXT };
  }
}

/** The parameter's value from its text, or a sentence saying what it must be. */
export function parseParameter(
  p: QueryParameter,
  text: string,
  texts: ReadonlyMap<string, string>,
): { value: FormValue } | { error: string } {
  const trimmed = p.type === 'string' ? text : text.trim();
  if (trimmed === '') return { error: `Enter ${p.name}.` };
  let value: FormValue;
  if (p.type === 'date') {
    if (!isRealDate(trimmed)) return { error: `${p.name} must be a date YYYY-MM-DD.` };
    value = trimmed;
  } else if (p.type === 'integer') {
    const n = Number(trimmed);
    if (!/^-?\d+$/.test(trimmed) || !Number.isSafeInteger(n))
      return { error: `${p.name} must be a whole number.` };
    value = n;
  } else {
    if (trimmed.length > MAX_TEXT) return { error: `${p.name} may be at most ${MAX_TEXT} characters.` };
    value = trimmed;
  }
  const rules = inputRules(p, texts);
  const compare = (limit: string) =>
    typeof value === 'number' ? value - Number(limit) : value < limit ? -1 : value > limit ? 1 : 0;
  const later = p.type === 'date' ? 'on or after' : 'at least';
  const earlier = p.type === 'date' ? 'on or before' : 'at most';
  if (rules.min !== undefined && compare(rules.min) < 0)
    return { error: `${p.name} must be ${later} ${boundName(p.range?.min, rules.min)}.` };
  if (rules.max !== undefined && compare(rules.max) > 0)
    return { error: `${p.name} must be ${earlier} ${boundName(p.range?.max, rules.max)}.` };
  return { value };
}

/** The range in words for the field's hint (`from 1 to 1440`, `on or after start_date`). */
export function rangeHint(p: QueryParameter): string {
  const name = (b: RangeBound) => ('value' in b ? String(b.value) : b.parameter);
  const { min, max } = p.range ?? {};
  if (min !== undefined && max !== undefined) return `from ${name(min)} to ${name(max)}`;
  if (min !== undefined) return `${p.type === 'date' ? 'on or after' : 'at least'} ${name(min)}`;
  if (max !== undefined) return `${p.type === 'date' ? 'on or before' : 'at most'} ${name(max)}`;
  return '';
}

function boundName(b: RangeBound | undefined, value: string): string {
  return b !== undefined && 'parameter' in b ? `${b.parameter} (${value})` : value;
}

function isRealDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}
