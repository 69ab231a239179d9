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
// approx_percentile on doubles is Trino's T-digest (compression 100), whose partial digests merge
// in whatever order the splits finish, so its estimate changes from run to run. A centroid at
// quantile q holds at most q(1-q)(4 ln(n/100) + 24)/100 of n values (TDigest.maxRelativeClusterSize
// at the compression a serialised digest is merged with), and the estimate interpolates between two
// neighbouring centroids: its rank may sit 1.5 such centroids from q. That is about 17% at the median
// of 20,000 values and under 1% at p99 (the tails are where a T-digest is sharp). Never below 1%.
const T_DIGEST_COMPRESSION = 100;
const MIN_PERCENTILE_RANK_ERROR = 0.01;
// Sums and averages of doubles may add in another order on each engine.
const DOUBLE_RELATIVE_TOLERANCE = 1e-9;

/** For each row and percentile column: the exact percentiles a T-digest's rank error below and above. */
export interface PercentileBounds {
  lower: unknown[][];
  upper: unknown[][];
}

/** The T-digest rank error at quantile p over at most `values` values, as p(1-p) times this factor. */
function tDigestRankErrorFactor(values: number): number {
  const clusterFactor =
    (4 * Math.log(Math.max(values, T_DIGEST_COMPRESSION) / T_DIGEST_COMPRESSION) + 24) / T_DIGEST_COMPRESSION;
  return 1.5 * clusterFactor;
}

/**
 * Runs `query` on the local engine twice with approx_percentile(x, p) taken as the exact
 * nearest-rank percentile at p minus, then plus, the T-digest's rank error at p, for groups no larger
 * than the lake's whole events table.
 */
export async function localPercentileBounds(
  query: SavedQuery,
  values: ReadonlyMap<string, ParameterValue>,
  dataDir: string,
): Promise<PercentileBounds> {
  const { db } = await openLakeDatabase(dataDir);
  try {
    const [counted] = await db.all<{ events: bigint }>('SELECT count(*) AS events FROM events');
    const factor = tDigestRankErrorFactor(Number(counted?.events ?? 0));
    const error = `greatest(${MIN_PERCENTILE_RANK_ERROR}, ${factor} * p * (1 - p))`;
    const run = async (sign: -1 | 1) => {
      await db.run(
        `CREATE OR REPLACE MACRO approx_percentile(x, p) AS quantile_disc(x, greatest(0.0, least(1.0, p + ${sign} * ${error})))`,
      );
      return (await db.typedRows(query.sql, placeholderValues(query, values))).rows;
    };
    return { lower: await run(-1), upper: await run(1) };
  } finally {
    db.close();
  }
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
