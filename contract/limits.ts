import schema from './event.schema.json' with { type: 'json' };

/** Firehose's per-record limit (1,000 KiB), counted on the UTF-8 bytes including the trailing newline. */
export const MAX_RECORD_BYTES = 1_024_000;

/** Objects allowed inside `properties`, counting `properties` itself (PropertiesDepth1..5 in the schema). */
export const MAX_PROPERTY_DEPTH = 5;

/** Keys per `properties` object (each nesting level). */
export const MAX_PROPERTY_KEYS_PER_OBJECT: number = schema.$defs.PropertiesDepth1.maxProperties;

/** Leaves once `properties` is flattened; checked in code because JSON Schema cannot count across levels. */
export const MAX_FLAT_PROPERTIES: number = schema.$defs.FlatProperties.maxProperties;

/** Separator between nested `properties` keys once flattened; the schema forbids it inside keys. */
export const PROPERTY_PATH_SEPARATOR = '.';
