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

/**
 * The most UTF-8 bytes one value of `properties` may take as OpenSearch indexes it. `properties` is
 * a `flat_object`: every value is indexed as a keyword term, and so is `properties.<key path>=<value>`
 * (its `_valueAndPath` field), where an array value is its JSON text (see the flattening). Lucene
 * refuses a term over 32,766 bytes, and with it the whole document, so the transform refuses such an
 * event instead (`property_value_too_long`). The margin of 2,766 bytes below Lucene's limit leaves
 * room for a change in what flat_object puts around the path in another engine version.
 */
export const MAX_PROPERTY_VALUE_BYTES = 30_000;

/** The name flat_object puts before each key path in the terms it indexes (the field's name). */
const INDEXED_PROPERTY_PREFIX = 'properties.';

/** UTF-8 bytes of the term `properties.<path>=<value>` flat_object indexes for one flattened value. */
export function indexedPropertyBytes(path: string, value: string): number {
  return Buffer.byteLength(INDEXED_PROPERTY_PREFIX) + Buffer.byteLength(path) + 1 + Buffer.byteLength(value);
}
