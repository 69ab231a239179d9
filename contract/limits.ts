import schema from './event.schema.json' with { type: 'json' };

/** Firehose's per-record limit (1,000 KiB), counted on the UTF-8 bytes including the trailing newline. */
export const MAX_RECORD_BYTES = 1_024_000;

/**
 * PutRecordBatch's fixed limits, which the tracker keeps to and the local endpoint enforces (AWS:
 * "Each PutRecordBatch request supports up to 500 records. Each record in the request can be as
 * large as 1,000 KB (before base64 encoding), up to a limit of 4 MB for the entire request. These
 * limits cannot be changed."; the quota page says 4 MiB per call). Sizes count record bytes before
 * the SDK's base64 encoding.
 */
export const PUT_RECORD_BATCH_LIMITS = {
  maxRecords: 500,
  maxRequestBytes: 4 * 1024 * 1024,
  maxRecordBytes: MAX_RECORD_BYTES,
} as const;

/** Delivery stream names: 1-64 characters of `[a-zA-Z0-9_.-]` (Firehose's rule). */
export const DELIVERY_STREAM_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,64}$/;

/** Objects allowed inside `properties`, counting `properties` itself (PropertiesDepth1..5 in the schema). */
export const MAX_PROPERTY_DEPTH = 5;

/** Keys per `properties` object (each nesting level). */
export const MAX_PROPERTY_KEYS_PER_OBJECT: number = schema.$defs.PropertiesDepth1.maxProperties;

/** Leaves once `properties` is flattened; checked in code because JSON Schema cannot count across levels. */
export const MAX_FLAT_PROPERTIES: number = schema.$defs.FlatProperties.maxProperties;

/** Separator between nested `properties` keys once flattened; the schema forbids it inside keys. */
export const PROPERTY_PATH_SEPARATOR = '.';
