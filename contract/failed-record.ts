/**
 * A record Firehose writes under `errors/<error-output-type>/dt=YYYY-MM-DD/` when it could not
 * deliver: `processing-failed` (the transform returned ProcessingFailed, or its invocation failed)
 * and `AmazonOpenSearchService-failed` (the domain rejected the document, or stayed unreachable
 * for the retry duration). One JSON object per line; the
 * OpenSearch-only fields are absent from processing-failed records. The local pipeline writes the
 * same shape, and the `failed_events` table (Glue and DuckDB) reads it.
 */
export interface FailedRecord {
  attemptsMade: number;
  /** Epoch millis when Firehose received the record. */
  arrivalTimestamp: number;
  errorCode: string;
  errorMessage: string;
  attemptEndingTimestamp: number;
  /** The original record, base64. */
  rawData: string;
  lambdaArn?: string;
  esDocumentId?: string;
  esIndexName?: string;
}

export interface FailedRecordColumn {
  name: keyof FailedRecord;
  glueType: 'string' | 'bigint' | 'int';
  duckdbType: 'VARCHAR' | 'BIGINT' | 'INTEGER';
}

export const FAILED_RECORD_COLUMNS: readonly FailedRecordColumn[] = [
  { name: 'attemptsMade', glueType: 'int', duckdbType: 'INTEGER' },
  { name: 'arrivalTimestamp', glueType: 'bigint', duckdbType: 'BIGINT' },
  { name: 'errorCode', glueType: 'string', duckdbType: 'VARCHAR' },
  { name: 'errorMessage', glueType: 'string', duckdbType: 'VARCHAR' },
  { name: 'attemptEndingTimestamp', glueType: 'bigint', duckdbType: 'BIGINT' },
  { name: 'rawData', glueType: 'string', duckdbType: 'VARCHAR' },
  { name: 'lambdaArn', glueType: 'string', duckdbType: 'VARCHAR' },
  { name: 'esDocumentId', glueType: 'string', duckdbType: 'VARCHAR' },
  { name: 'esIndexName', glueType: 'string', duckdbType: 'VARCHAR' },
];

/**
 * Firehose's error-output-type folder names under `errors/` that this product produces, spelled as
 * Firehose spells them (`!{firehose:error-output-type}`, Firehose developer guide, custom prefixes).
 */
export const ERROR_OUTPUT_TYPES = ['processing-failed', 'AmazonOpenSearchService-failed'] as const;
export type ErrorOutputType = (typeof ERROR_OUTPUT_TYPES)[number];
