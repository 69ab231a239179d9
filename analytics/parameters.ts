import type { ParameterType, SavedQuery, SavedQueryParameter } from './catalog';

/** A parameter value as the engines take it: dates and strings as text, integers as numbers. */
export type ParameterValue = string | number;

/** A missing, surplus or malformed parameter value; the message names the parameter and its format. */
export class ParameterError extends Error {
  override name = 'ParameterError';
}

// Athena caps each execution parameter at 1024 characters.
const MAX_VALUE_LENGTH = 1024;

const FORMATS: Record<ParameterType, string> = {
  date: 'a date YYYY-MM-DD',
  integer: 'a whole number',
  string: `text of 1 to ${MAX_VALUE_LENGTH} characters`,
};

/**
 * One value per parameter of `query`, from the user's raw values: `value` in header order, or
 * `name=value` for a declared parameter name. Throws ParameterError naming the first problem.
 */
export function parseParameterValues(query: SavedQuery, raw: readonly string[]): Map<string, ParameterValue> {
  const byName = new Map<string, string>();
  const positional: string[] = [];
  const declared = new Set(query.parameters.map((p) => p.name));
  for (const entry of raw) {
    const separator = entry.indexOf('=');
    const name = entry.slice(0, separator);
    if (separator > 0 && declared.has(name)) {
      if (byName.has(name)) throw new ParameterError(`parameter ${name} is given twice`);
      byName.set(name, entry.slice(separator + 1));
    } else {
      positional.push(entry);
    }
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
        `missing parameter ${p.name}, ${FORMATS[p.type]}: ${p.description} Usage: ${query.name} ${signature(query)}`,
      );
    }
    values.set(p.name, parseValue(p, text));
  }
  return values;
}

/** `start_date:date end_date:date`, for usage lines. */
export function signature(query: SavedQuery): string {
  return query.parameters.map((p) => `${p.name}:${p.type}`).join(' ') || 'no parameters';
}

function parseValue(p: SavedQueryParameter, text: string): ParameterValue {
  const invalid = (): never => {
    throw new ParameterError(`parameter ${p.name} must be ${FORMATS[p.type]}, got "${text}"`);
  };
  switch (p.type) {
    case 'date': {
      const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      if (match === null) return invalid();
      const [, y, m, d] = match.map(Number);
      const day = new Date(Date.UTC(y!, m! - 1, d!));
      if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m! - 1 || day.getUTCDate() !== d)
        return invalid();
      return text;
    }
    case 'integer': {
      const value = Number(text);
      if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value)) return invalid();
      return value;
    }
    case 'string': {
      if (text.length === 0 || text.length > MAX_VALUE_LENGTH) return invalid();
      // The cap applies to what Athena receives: the literal, with its quotes and doubled inner quotes.
      const literalLength = athenaLiteral(text).length;
      if (literalLength > MAX_VALUE_LENGTH) {
        throw new ParameterError(
          `parameter ${p.name} is too long: ${literalLength} characters as an Athena literal (quotes added, inner quotes doubled), at most ${MAX_VALUE_LENGTH}`,
        );
      }
      return text;
    }
  }
}

/**
 * An Athena execution parameter: the value as a SQL literal, since Athena substitutes it into the
 * statement; text is quoted with embedded quotes doubled, numbers stay bare.
 */
export function athenaLiteral(value: ParameterValue): string {
  return typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`;
}
