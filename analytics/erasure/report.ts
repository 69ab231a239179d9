/**
 * Erasure of one person's events (`clickstream erase`): whose data, and what was removed. Shared by
 * the local erase (the data dir) and the AWS erase (analytics/erasure/aws-erasure.ts), so that both
 * print and return the same report.
 */

/** Whose events are erased: every event whose `user_id`, or whose `anonymous_id`, is `value`. */
export interface ErasureSubject {
  readonly column: 'user_id' | 'anonymous_id';
  readonly value: string;
}

/** One raw object (S3 key, or path relative to the lake) rewritten without the subject's lines. */
export interface RewrittenObject {
  readonly key: string;
  readonly linesRemoved: number;
  readonly linesKept: number;
}

/** A curated day file rewritten without the subject's rows (locally `curated/event_date=…/events.parquet`). */
export interface RewrittenDayFile {
  readonly key: string;
  readonly rowsRemoved: number;
  readonly rowsKept: number;
}

/** The documents deleted from one event index (`duckdb <file>` or `opensearch <url> events-*`). */
export interface EventIndexErasure {
  readonly index: string;
  readonly documentsDeleted: number;
}

/** An object or file that could not be read, so could not be searched for the subject. */
export interface UnsearchedObject {
  readonly key: string;
  readonly error: string;
}

export interface ErasureReport {
  readonly subject: ErasureSubject;
  /** `local` (a data dir) or `aws` (a deployed stack). */
  readonly target: 'local' | 'aws';
  /** Rows deleted from the curated table. */
  readonly curatedRowsDeleted: number;
  /** The raw objects rewritten without the subject's lines (objects without them are left as they were). */
  readonly rawObjects: readonly RewrittenObject[];
  /** Documents deleted from the event index (DuckDB locally, OpenSearch `events-*` on AWS). */
  readonly eventIndexDocumentsDeleted: number;
  /** What the erasure does not reach, and until when it stays there. */
  readonly remains: readonly string[];
  /** Local erase: nothing was changed; the counts are what the erasure would remove. */
  readonly dryRun?: boolean;
  /** Local erase: the curated day files rewritten (their rows sum to curatedRowsDeleted). */
  readonly curatedFiles?: readonly RewrittenDayFile[];
  /** `errors/` objects rewritten without the subject's failure records (the local and the AWS erase). */
  readonly errorObjects?: readonly RewrittenObject[];
  /** Local erase: each event index searched (their documents sum to eventIndexDocumentsDeleted). */
  readonly eventIndexes?: readonly EventIndexErasure[];
  /** Local erase: what could not be read, so may still hold the subject's events (exit code 1). */
  readonly unsearched?: readonly UnsearchedObject[];
}

export function rawLinesRemoved(report: ErasureReport): number {
  return report.rawObjects.reduce((sum, object) => sum + object.linesRemoved, 0);
}

/** The report as the command prints it. */
export function formatErasureReport(report: ErasureReport): string {
  const { column, value } = report.subject;
  const lines = [
    report.dryRun === true
      ? `Dry run, nothing changed: would erase the events with ${column} = ${JSON.stringify(value)} (${report.target}):`
      : `Erased the events with ${column} = ${JSON.stringify(value)} (${report.target}):`,
    `  curated table: ${report.curatedRowsDeleted} row(s) deleted`,
    ...(report.curatedFiles ?? []).map(
      (file) => `    ${file.key}: ${file.rowsRemoved} removed, ${file.rowsKept} kept`,
    ),
    `  raw lake: ${rawLinesRemoved(report)} line(s) removed from ${report.rawObjects.length} object(s)`,
    ...report.rawObjects.map(
      (object) => `    ${object.key}: ${object.linesRemoved} removed, ${object.linesKept} kept`,
    ),
    ...(report.errorObjects === undefined
      ? []
      : [
          `  failed records (errors/): ${report.errorObjects.reduce((sum, o) => sum + o.linesRemoved, 0)} record(s) removed from ${report.errorObjects.length} object(s)`,
          ...report.errorObjects.map(
            (object) => `    ${object.key}: ${object.linesRemoved} removed, ${object.linesKept} kept`,
          ),
        ]),
    `  event index: ${report.eventIndexDocumentsDeleted} document(s) deleted`,
    ...(report.eventIndexes ?? []).map((index) => `    ${index.index}: ${index.documentsDeleted} deleted`),
    ...(report.unsearched ?? []).map(
      (bad) => `  NOT SEARCHED ${bad.key}: ${bad.error} (repair or remove it, then erase again)`,
    ),
  ];
  if (report.remains.length > 0) {
    lines.push('Not reached by this command:', ...report.remains.map((note) => `  - ${note}`));
  }
  return `${lines.join('\n')}\n`;
}
