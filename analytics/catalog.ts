import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareValues, PARAMETER_FORMATS, parseLiteral } from './parameters';

/** Where the saved queries live: `queries/*.sql` at the repository root. */
export const QUERIES_DIR = fileURLToPath(new URL('../queries/', import.meta.url));

/** The value types a saved query's parameter can take; each has one textual form (see docs/queries.md). */
export const PARAMETER_TYPES = ['date', 'integer', 'string'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

/** One end of a parameter's range: a value of the parameter's type, or another parameter of that type. */
export type RangeBound = { readonly value: string | number } | { readonly parameter: string };

/** The values a parameter accepts, both ends inclusive; an absent end is open. */
export interface ParameterRange {
  readonly min?: RangeBound;
  readonly max?: RangeBound;
}

export interface SavedQueryParameter {
  name: string;
  type: ParameterType;
  description: string;
  /** From the header's `<type>[<min>..<max>]`; absent when any value of the type is accepted. */
  range?: ParameterRange;
}

/** One `queries/<name>.sql` file: its header, and the SQL that runs on Athena and on local DuckDB alike. */
export interface SavedQuery {
  name: string;
  description: string;
  /** The distinct parameters, in header order: the order users give values in. */
  parameters: SavedQueryParameter[];
  /**
   * The parameter name of every `?` placeholder, in SQL order. A parameter used twice has two
   * placeholders (a date bounds both `dt` and `event_time`), because only literal values let Athena
   * and DuckDB prune partitions; runners expand the values with `placeholderValues`.
   */
  placeholders: string[];
  /** The statement without its header comment, byte for byte as in the file otherwise. */
  sql: string;
  /** Absolute path of the file it came from. */
  file: string;
}

/** A saved query file whose header or placeholders break the format; the message names the file and line. */
export class SavedQueryFormatError extends Error {
  override name = 'SavedQueryFormatError';
}

const NAME = /^[a-z][a-z0-9_]{0,63}$/;
const HEADER_LINE = /^--\s?(name|description|param):\s*(.*)$/;
const CONTINUATION = /^--\s{2,}(\S.*)$/;
const PARAM = /^([a-z][a-z0-9_]{0,63})\s+([a-z]+)(\[[^\]]*\])?\s+(\S.*)$/;
const RANGE = /^\[(\S*?)\.\.(\S*)\]$/;

/**
 * Parses one saved query. The header is the file's leading run of `--` lines:
 *
 *     -- name: ctr_by_campaign
 *     -- description: What the query answers, in one sentence.
 *     -- param: start_date date First event day, inclusive (UTC).
 *     -- param: end_date date[start_date..] Last event day, inclusive (UTC).
 *
 * `name` (equal to the file name) and `description` appear once; one `param: <name> <type> <text>`
 * per distinct parameter, in the order users give values. A date or integer type may carry a range,
 * `<type>[<min>..<max>]` with either end left out, whose ends are values of the type or names of
 * other parameters of the type. A line starting `--` followed by two or more spaces continues the
 * previous field. In the SQL every `?` is followed by a block comment naming its parameter
 * (docs/queries.md shows the form), so that one parameter can appear at several places.
 */
export function parseSavedQuery(file: string, text: string): SavedQuery {
  const fail = (line: number, message: string): never => {
    throw new SavedQueryFormatError(`${file}:${line}: ${message}`);
  };
  const lines = text.split('\n');
  const fields: { key: string; value: string; line: number }[] = [];
  let bodyStart = 0;
  for (const [index, raw] of lines.entries()) {
    const line = raw.trimEnd();
    if (!line.startsWith('--')) break;
    bodyStart = index + 1;
    const continuation = CONTINUATION.exec(line);
    const previous = fields.at(-1);
    if (continuation !== null && previous !== undefined) {
      previous.value = `${previous.value} ${continuation[1]}`;
      continue;
    }
    const field = HEADER_LINE.exec(line);
    if (field === null) {
      fail(index + 1, `expected "-- name:", "-- description:" or "-- param:" in the header, got "${line}"`);
    } else {
      fields.push({ key: field[1]!, value: field[2]!.trim(), line: index + 1 });
    }
  }

  const single = (key: 'name' | 'description'): string => {
    const found = fields.filter((f) => f.key === key);
    if (found.length !== 1) fail(found[1]?.line ?? 1, `the header needs exactly one "-- ${key}:" line`);
    const value = found[0]!.value;
    if (value === '') fail(found[0]!.line, `"-- ${key}:" is empty`);
    return value;
  };
  const name = single('name');
  const description = single('description');
  const expectedName = basename(file, '.sql');
  if (!NAME.test(name) || name !== expectedName) {
    fail(1, `the name "${name}" must match the file name "${expectedName}" and ${NAME}`);
  }

  const declarations = fields
    .filter((f) => f.key === 'param')
    .map((f) => {
      const match = PARAM.exec(f.value);
      if (match === null)
        return fail(f.line, `expected "-- param: <name> <type> <description>", got "${f.value}"`);
      const [, paramName, type, range, paramDescription] = match;
      if (!isParameterType(type!)) {
        return fail(
          f.line,
          `parameter "${paramName}" has type "${type}"; expected one of ${PARAMETER_TYPES.join(', ')}`,
        );
      }
      const parameter: SavedQueryParameter = { name: paramName!, type, description: paramDescription! };
      return { parameter, range, line: f.line };
    });
  const parameters = declarations.map((d) => d.parameter);
  const seen = new Set<string>();
  for (const p of parameters) {
    if (seen.has(p.name)) fail(1, `parameter "${p.name}" is declared twice`);
    seen.add(p.name);
  }
  // Bounds may name parameters declared after them, so ranges are read once all are known.
  for (const { parameter, range, line } of declarations) {
    if (range !== undefined) parameter.range = parseRange(parameter, range, parameters, (m) => fail(line, m));
  }

  const sql = lines.slice(bodyStart).join('\n').trim();
  if (sql === '') fail(bodyStart + 1, 'no SQL after the header');
  const placeholders = placeholderNames(sql, (message) => fail(bodyStart + 1, message));
  for (const used of new Set(placeholders)) {
    if (!seen.has(used))
      fail(bodyStart + 1, `a placeholder names "${used}", which the header does not declare`);
  }
  for (const declared of seen) {
    if (!placeholders.includes(declared))
      fail(1, `parameter "${declared}" is declared but no placeholder uses it`);
  }
  return { name, description, parameters, placeholders, sql, file };
}

/** Every `queries/*.sql` file, parsed, sorted by name. Synchronous so that CDK constructs can call it. */
export function loadSavedQueries(dir: string = QUERIES_DIR): SavedQuery[] {
  return readdirSync(dir)
    .filter((entry) => entry.endsWith('.sql'))
    .sort()
    .map((entry) => {
      const file = join(dir, entry);
      return parseSavedQuery(file, readFileSync(file, 'utf8'));
    });
}

function parseRange(
  parameter: SavedQueryParameter,
  text: string,
  parameters: readonly SavedQueryParameter[],
  fail: (message: string) => never,
): ParameterRange {
  const { name, type } = parameter;
  if (type === 'string')
    fail(`parameter "${name}" is a string; only date and integer parameters take a range`);
  const ends = RANGE.exec(text);
  if (ends === null || (ends[1] === '' && ends[2] === ''))
    return fail(`expected "[<min>..<max>]" with at least one bound, got "${text}"`);
  const bound = (end: string): RangeBound | undefined => {
    if (end === '') return undefined;
    const value = parseLiteral(type, end);
    if (value !== undefined) return { value };
    if (parameters.some((p) => p.name === end && p.name !== name && p.type === type))
      return { parameter: end };
    return fail(
      `parameter "${name}": the bound "${end}" is neither ${PARAMETER_FORMATS[type]} nor the name of another ${type} parameter`,
    );
  };
  const min = bound(ends[1]!);
  const max = bound(ends[2]!);
  if (min !== undefined && 'value' in min && max !== undefined && 'value' in max) {
    if (compareValues(min.value, max.value) > 0)
      fail(
        `parameter "${name}" has an empty range: ${min.value} is ${type === 'date' ? 'after' : 'above'} ${max.value}`,
      );
  }
  return { ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
}

function isParameterType(type: string): type is ParameterType {
  return (PARAMETER_TYPES as readonly string[]).includes(type);
}

const PLACEHOLDER_LABEL = /^\s*\/\*\s*([a-z][a-z0-9_]*)\s*\*\//;

/**
 * The parameter name after each `?` outside string literals, quoted identifiers and comments:
 * Athena's execution parameters, in order.
 */
export function placeholderNames(sql: string, fail: (message: string) => never): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      // Quotes are escaped by doubling, so scanning to the next quote and re-entering handles both.
      const end = sql.indexOf(c, i + 1);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (c === '?') {
      const label = PLACEHOLDER_LABEL.exec(sql.slice(i + 1));
      if (label === null)
        fail(`placeholder #${names.length + 1} must be followed by its parameter's name: "? /* name */"`);
      names.push(label![1]!);
      i += 1 + label![0].length;
    } else {
      i += 1;
    }
  }
  return names;
}

/** The value of every placeholder, in SQL order, from one value per parameter (keyed by name). */
export function placeholderValues<T>(query: SavedQuery, values: ReadonlyMap<string, T>): T[] {
  return query.placeholders.map((name) => {
    const value = values.get(name);
    if (value === undefined) throw new Error(`no value for parameter "${name}" of ${query.name}`);
    return value;
  });
}
