import { placeholderValues, type SavedQuery } from '../../analytics/catalog';
import { athenaLiteral, type ParameterValue } from '../../analytics/parameters';
import { sqlLiteral, type TrinoResult, type TrinoSession, trinoQuery } from './client';

/**
 * Runs a saved query on Trino as Athena runs it with execution parameters: the file's SQL text
 * unchanged, one SQL literal per `?` in order (the same literals the Athena runner sends), bound by
 * `EXECUTE IMMEDIATE ... USING`.
 */
export function runSavedQueryOnTrino(
  url: string,
  query: SavedQuery,
  values: ReadonlyMap<string, ParameterValue>,
  session: TrinoSession,
): Promise<TrinoResult> {
  const literals = placeholderValues(query, values).map(athenaLiteral);
  const using = literals.length === 0 ? '' : ` USING ${literals.join(', ')}`;
  return trinoQuery(url, `EXECUTE IMMEDIATE ${sqlLiteral(query.sql)}${using}`, session);
}
