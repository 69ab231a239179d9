export { EVENT_COLUMNS, type EventColumn } from './columns';
export type * from './event.generated';
export {
  ERROR_OUTPUT_TYPES,
  type ErrorOutputType,
  FAILED_RECORD_COLUMNS,
  type FailedRecord,
  type FailedRecordColumn,
} from './failed-record';
export { errorsPrefixFor, eventsPrefixFor, LAKE_LAYOUT } from './lake-layout';
export {
  DELIVERY_STREAM_NAME_PATTERN,
  indexedPropertyBytes,
  MAX_FLAT_PROPERTIES,
  MAX_PROPERTY_DEPTH,
  MAX_PROPERTY_VALUE_BYTES,
  MAX_RECORD_BYTES,
  PROPERTY_PATH_SEPARATOR,
  PUT_RECORD_BATCH_LIMITS,
} from './limits';
export { FAILURE_REASONS, type FailureReason, type Refusal } from './reasons';
export { EVENT_TIME_RANGE, storedFormMillis, toEpochMillis, toUtcIso } from './time';
export { type Validation, validateStoredEvent, validateWireEvent } from './validate';
