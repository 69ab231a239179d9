import type { SavedQuery } from './catalog';

/** No saved query has the name; the message suggests the closest names. */
export class UnknownQueryError extends Error {
  override name = 'UnknownQueryError';
}

/** The saved query called `name`, or an UnknownQueryError that suggests close names. */
export function findSavedQuery(queries: readonly SavedQuery[], name: string): SavedQuery {
  const found = queries.find((q) => q.name === name);
  if (found !== undefined) return found;
  const close = queries
    .map((q) => ({ name: q.name, distance: editDistance(name, q.name) }))
    .filter((c) => c.distance <= Math.max(2, Math.floor(c.name.length / 3)) || c.name.includes(name))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map((c) => c.name);
  const hint =
    close.length > 0
      ? `did you mean ${close.join(', ')}?`
      : `known: ${queries.map((q) => q.name).join(', ')}`;
  return fail(`unknown query "${name}": ${hint} (clickstream query list shows them all)`);
}

function fail(message: string): never {
  throw new UnknownQueryError(message);
}

/** Levenshtein distance: insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
