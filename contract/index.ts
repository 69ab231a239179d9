export { EVENT_COLUMNS, type EventColumn } from './columns';
export type * from './event.generated';
export { MAX_FLAT_PROPERTIES, MAX_PROPERTY_DEPTH, MAX_RECORD_BYTES, PROPERTY_PATH_SEPARATOR } from './limits';
export { FAILURE_REASONS, type FailureReason, type Refusal } from './reasons';
export { toEpochMillis, toUtcIso } from './time';
export { type Validation, validateStoredEvent, validateWireEvent } from './validate';
