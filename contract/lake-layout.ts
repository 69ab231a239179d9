/**
 * Where things live in the lake bucket (and, locally, under `<data-dir>/lake/`). Firehose writes
 * these prefixes; the Glue tables, the saved queries and the local pipeline read them.
 */
export const LAKE_LAYOUT = {
  /** Firehose prefix expression for delivered events (partitioned by arrival time, UTC). */
  eventsPrefix: 'events/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/',
  /** Firehose prefix expression for failed records. */
  errorsPrefix: 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
  /** Glue/Athena (and local DuckDB) names. */
  eventsTable: 'events',
  failedEventsTable: 'failed_events',
} as const;

/** The events prefix for an arrival time, as Firehose renders it: `events/dt=2026-11-22/hour=07/`. */
export function eventsPrefixFor(arrivalEpochMillis: number): string {
  const iso = new Date(arrivalEpochMillis).toISOString();
  return `events/dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/`;
}

/** The errors prefix for an arrival time: `errors/processing-failed/dt=2026-11-22/`. */
export function errorsPrefixFor(errorOutputType: string, arrivalEpochMillis: number): string {
  return `errors/${errorOutputType}/dt=${new Date(arrivalEpochMillis).toISOString().slice(0, 10)}/`;
}
