/** How a column's values print: numbers right-aligned and as JSON numbers, the rest as text. */
export type ColumnKind = 'integer' | 'decimal' | 'boolean' | 'text';

/** A query's answer from either engine, every value as text (Athena's own form) or null. */
export interface QueryResult {
  columns: { name: string; kind: ColumnKind }[];
  rows: (string | null)[][];
  /** One line per fact about the run (engine, time, bytes or files read), for stderr. */
  notes: string[];
}

const INTEGER_TYPES =
  /^(tinyint|smallint|integer|int|bigint|hugeint|utinyint|usmallint|uinteger|ubigint|uhugeint)$/i;
const DECIMAL_TYPES = /^(double|real|float|decimal.*)$/i;

/** The column kind of a DuckDB or Athena (Trino) type name. */
export function kindOfType(type: string): ColumnKind {
  if (INTEGER_TYPES.test(type)) return 'integer';
  if (DECIMAL_TYPES.test(type)) return 'decimal';
  if (/^boolean$/i.test(type)) return 'boolean';
  return 'text';
}
