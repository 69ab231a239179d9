import { placeholderValues, type SavedQuery } from '../../../analytics/catalog';
import { openLakeDatabase } from '../../../analytics/local-runner';
import type { ParameterValue } from '../../../analytics/parameters';
import { kindOfType, type QueryResult } from '../../../analytics/result';
import type { TrinoResult } from '../../../engines/trino/client';

/** How an approximate column of a saved query may differ from the local runner's exact value. */
export type Approximation = 'distinct' | 'percentile';

// approx_distinct's standard error is 2.3% (Trino's and Athena's docs); its HyperLogLog gives the
// same estimate for the same input every time, so three standard errors leave room for the
// estimate and none for a wrong count.
const DISTINCT_RELATIVE_TOLERANCE = 3 * 0.023;
// approx_percentile's estimate may sit this far in rank from the exact percentile: the maximum
// rank error Trino's quantile digest defaults to (its T-digest, used for doubles, keeps close to it).
const PERCENTILE_RANK_ERROR = 0.01;
// Sums and averages of doubles may add in another order on each engine.
const DOUBLE_RELATIVE_TOLERANCE = 1e-9;

/** For each row and percentile column: the exact percentiles PERCENTILE_RANK_ERROR below and above. */
export interface PercentileBounds {
  lower: unknown[][];
  upper: unknown[][];
}

/**
 * Runs `query` on the local engine twice with approx_percentile(x, p) taken as the exact
 * nearest-rank percentile at p - PERCENTILE_RANK_ERROR, then at p + PERCENTILE_RANK_ERROR.
 */
export async function localPercentileBounds(
  query: SavedQuery,
  values: ReadonlyMap<string, ParameterValue>,
  dataDir: string,
): Promise<PercentileBounds> {
  const run = async (shift: number) => {
    const { db } = await openLakeDatabase(dataDir);
    try {
      await db.run(
        `CREATE OR REPLACE MACRO approx_percentile(x, p) AS quantile_disc(x, greatest(0.0, least(1.0, p + ${shift})))`,
      );
      return (await db.typedRows(query.sql, placeholderValues(query, values))).rows;
    } finally {
      db.close();
    }
  };
  return { lower: await run(-PERCENTILE_RANK_ERROR), upper: await run(PERCENTILE_RANK_ERROR) };
}

/** A Trino value as text, the form both runners report. */
export function trinoText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function withinRelative(actual: number, expected: number, tolerance: number): boolean {
  return Math.abs(actual - expected) <= tolerance * Math.abs(expected);
}

/**
 * Where the Trino result differs from the local one: column names and kinds, row count, and each
 * value (exact text, doubles to 1e-9, approximate columns within their documented error). Empty
 * when they agree.
 */
export function disagreements(
  local: QueryResult,
  trino: TrinoResult,
  approximate: Readonly<Record<string, Approximation>> = {},
  bounds?: PercentileBounds,
): string[] {
  const localColumns = local.columns.map((c) => `${c.name}:${c.kind}`);
  // Trino names parameterised types in full (varchar(9)); the kind goes by the base type.
  const trinoColumns = trino.columns.map((c) => `${c.name}:${kindOfType(c.type.replace(/\(.*$/, ''))}`);
  if (localColumns.join(',') !== trinoColumns.join(',')) {
    return [`columns: local ${localColumns.join(',')} vs trino ${trinoColumns.join(',')}`];
  }
  const found: string[] = [];
  if (local.rows.length !== trino.rows.length) {
    found.push(`rows: local ${local.rows.length} vs trino ${trino.rows.length}`);
  }
  local.rows.slice(0, trino.rows.length).forEach((row, r) => {
    row.forEach((localValue, c) => {
      const column = local.columns[c]!;
      const trinoValue = trinoText(trino.rows[r]![c]);
      const approximation = approximate[column.name];
      const ok =
        localValue === trinoValue ||
        (localValue !== null &&
          trinoValue !== null &&
          (approximation === 'distinct'
            ? withinRelative(Number(trinoValue), Number(localValue), DISTINCT_RELATIVE_TOLERANCE)
            : approximation === 'percentile'
              ? bounds !== undefined &&
                Number(bounds.lower[r]?.[c]) <= Number(trinoValue) &&
                Number(trinoValue) <= Number(bounds.upper[r]?.[c])
              : column.kind === 'decimal' &&
                withinRelative(Number(trinoValue), Number(localValue), DOUBLE_RELATIVE_TOLERANCE)));
      if (!ok) found.push(`row ${r} ${column.name}: local ${localValue} vs trino ${trinoValue}`);
    });
  });
  return found;
}
