import { isIP } from 'node:net';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import type { StoredEvent, WireEvent } from './event.generated';
import schema from './event.schema.json' with { type: 'json' };
import { codePointLengthLimits } from './length-keywords';
import {
  indexedPropertyBytes,
  MAX_FLAT_PROPERTIES,
  MAX_PROPERTY_DEPTH,
  MAX_PROPERTY_VALUE_BYTES,
  PROPERTY_PATH_SEPARATOR,
} from './limits';
import type { FailureReason, Refusal } from './reasons';
import { EVENT_TIME_RANGE, toEpochMillis } from './time';

export type Validation<T> = { ok: true; event: T } | ({ ok: false } & Refusal);

// One compiled validator per shape, built once per process, on the hot path of both the tracker
// and the transform, hence:
// - allErrors off: the first error is enough for a reason;
// - formats checked by the same parser the transform normalises with (so `date-time` accepts
//   exactly what toEpochMillis can read, real calendar days only, at an instant of the event time
//   range once the offset is applied) and by node:net for addresses (`ip`, the contract's own
//   format: either family), instead of a second, slower set of regular expressions;
// - string lengths counted in code points only when the UTF-16 length cannot decide.
const ajv = new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true });
ajv.addFormat('date-time', {
  type: 'string',
  validate: (text: string) => isInEventTimeRange(toEpochMillis(text)),
});
ajv.addFormat('ip', { type: 'string', validate: (text: string) => isIP(text) !== 0 });
ajv.removeKeyword('maxLength').removeKeyword('minLength').addKeyword(codePointLengthLimits);
ajv.addSchema(schema);
const wireValidator = compile<WireEvent>('#/$defs/WireEvent');
const storedValidator = compile<StoredEvent>('#/$defs/StoredEvent');

function compile<T>(pointer: string): ValidateFunction<T> {
  const validator = ajv.getSchema<T>(`${schema.$id}${pointer}`);
  if (validator === undefined) throw new Error(`event schema has no definition at ${pointer}`);
  return validator;
}

/** Checks a parsed value against the wire format (what a tracker may send). */
export function validateWireEvent(value: unknown): Validation<WireEvent> {
  if (!isPlainObject(value)) return notAnObject();
  if (!wireValidator(value)) return refusalFrom(wireValidator.errors, value);
  const refusal =
    malformedUnicodeRefusal(value) ??
    (value.properties === undefined
      ? undefined
      : flattenedPropertiesRefusal(value.properties as Record<string, unknown>));
  if (refusal !== undefined) return { ok: false, ...refusal };
  return { ok: true, event: value };
}

/** Checks a value against the stored format (what the transform emits and the lake holds). */
export function validateStoredEvent(value: unknown): Validation<StoredEvent> {
  if (!isPlainObject(value)) return notAnObject();
  if (!storedValidator(value)) return refusalFrom(storedValidator.errors, value);
  const refusal = malformedUnicodeRefusal(value);
  if (refusal !== undefined) return { ok: false, ...refusal };
  return { ok: true, event: value };
}

function isInEventTimeRange(epochMs: number): boolean {
  // NaN, a text that is no time at all, fails both comparisons.
  return epochMs >= EVENT_TIME_RANGE.firstMs && epochMs <= EVENT_TIME_RANGE.lastMs;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notAnObject(): { ok: false } & Refusal {
  return { ok: false, reason: 'not_an_object', message: 'an event must be a JSON object' };
}

const FIELD_REASONS: Record<string, FailureReason> = {
  event_id: 'invalid_event_id',
  event_type: 'invalid_event_type',
  advertiser_id: 'invalid_advertiser_id',
  event_time: 'invalid_timestamp',
  sent_at: 'invalid_timestamp',
  received_at: 'invalid_timestamp',
  derived_event_time: 'invalid_timestamp',
  revenue: 'invalid_money',
  cost: 'invalid_money',
};

/** What an invalid time must be, for its refusal (ajv's own words would name only the failed keyword). */
const TIMESTAMP_RULE = `must be an RFC 3339 date-time with an offset, or integer epoch milliseconds, at an instant from ${new Date(EVENT_TIME_RANGE.firstMs).toISOString()} to ${new Date(EVENT_TIME_RANGE.lastMs).toISOString()}`;

/**
 * Turns ajv's first error into a typed refusal whose message names the field but not its value.
 * Paths hold keys, which may be malformed (a malformed key may fail another rule first): they
 * are made well-formed, so that the refusal itself is always storable text.
 */
function refusalFrom(
  errors: ErrorObject[] | null | undefined,
  event: Record<string, unknown>,
): { ok: false } & Refusal {
  const error = errors?.[0];
  if (error === undefined) return { ok: false, reason: 'invalid_field', message: 'event failed validation' };
  const path = error.instancePath.toWellFormed();
  const topField = path.split('/')[1] ?? '';
  const where = path === '' ? 'event' : path;
  const refuse = (reason: FailureReason, field: string | undefined, message: string) =>
    ({ ok: false, reason, ...(field === undefined ? {} : { field }), message }) as const;

  if (error.keyword === 'required') {
    const missing = String(error.params.missingProperty);
    return refuse('missing_required_field', `${path}/${missing}`, `${missing} is required`);
  }
  if (error.keyword === 'additionalProperties' && path === '') {
    const extra = String(error.params.additionalProperty).toWellFormed();
    return refuse(
      'unknown_field',
      pointerOf([extra]),
      `${extra} is not a field of the event format (custom keys go in properties)`,
    );
  }
  if (topField === 'properties') {
    return propertiesRefusal(decisiveError(errors) ?? error, event.properties, refuse);
  }
  const fieldReason = FIELD_REASONS[topField];
  if (fieldReason === 'invalid_timestamp') return refuse(fieldReason, where, `${where} ${TIMESTAMP_RULE}`);
  if (fieldReason !== undefined)
    return refuse(fieldReason, where, `${where} ${error.message ?? 'is invalid'}`);
  if (error.keyword === 'maxLength') return refuse('field_too_long', where, `${where} ${error.message}`);
  if (error.keyword === 'type') return refuse('invalid_field_type', where, `${where} ${error.message}`);
  return refuse('invalid_field', where, `${where} ${error.message ?? 'is invalid'}`);
}

function propertiesRefusal(
  error: ErrorObject,
  properties: unknown,
  refuse: (reason: FailureReason, field: string | undefined, message: string) => { ok: false } & Refusal,
): { ok: false } & Refusal {
  const where = error.instancePath.toWellFormed();
  if (error.keyword === 'propertyNames' || error.propertyName !== undefined) {
    return refuse(
      'invalid_property_key',
      where,
      `${where} has a key that is empty, longer than 128 characters, or contains '.' or a control character`,
    );
  }
  if (error.keyword === 'maxProperties')
    return refuse('too_many_properties', where, `${where} ${error.message}`);
  if (depthOf(properties, MAX_PROPERTY_DEPTH + 1) > MAX_PROPERTY_DEPTH) {
    return refuse(
      'properties_too_deep',
      '/properties',
      `properties nests more than ${MAX_PROPERTY_DEPTH} objects deep`,
    );
  }
  if (error.keyword === 'maxLength' || error.keyword === 'maxItems') {
    return refuse('field_too_long', where, `${where} ${error.message}`);
  }
  // An array item is the only place where an object is refused for its type alone.
  const inArray = /\/\d+$/.test(where);
  return refuse(
    'invalid_field_type',
    where,
    inArray
      ? `${where} must be a string, number, boolean or null (arrays in properties hold no objects or arrays)`
      : `${where} must be a string, number, boolean, null, an array of those, or an object`,
  );
}

// Every value inside properties is a union (scalar | array | object): ajv lists a `type` error for
// each branch that did not match, then the error that decided, then the union's own `anyOf`.
function decisiveError(errors: ErrorObject[] | null | undefined): ErrorObject | undefined {
  return errors?.find((e) => e.keyword !== 'type' && e.keyword !== 'anyOf');
}

/**
 * Objects nested in a value, the value itself included (arrays do not count as a level), counted
 * no further than `cap`: an event nested 100,000 objects deep must be refused, not overflow the
 * stack and fail every record of its batch.
 */
function depthOf(value: unknown, cap: number): number {
  if (cap === 0 || !isPlainObject(value)) return 0;
  let deepest = 0;
  for (const key in value) {
    deepest = Math.max(deepest, depthOf(value[key], cap - 1));
    if (deepest === cap - 1) break;
  }
  return 1 + deepest;
}

/**
 * The limits on `properties` once flattened, which JSON Schema cannot express: the number of values
 * (all levels together), then the length of each as OpenSearch indexes it (MAX_PROPERTY_VALUE_BYTES).
 */
function flattenedPropertiesRefusal(properties: Record<string, unknown>): Refusal | undefined {
  const walk: PropertiesWalk = { leaves: 0, tooLong: undefined };
  walkProperties(properties, [], 0, walk);
  if (walk.leaves > MAX_FLAT_PROPERTIES) {
    return {
      reason: 'too_many_properties',
      field: '/properties',
      message: `properties has more than ${MAX_FLAT_PROPERTIES} values once flattened`,
    };
  }
  if (walk.tooLong !== undefined) {
    const field = pointerOf(['properties', ...walk.tooLong]);
    return {
      reason: 'property_value_too_long',
      field,
      message: `${field} is over ${MAX_PROPERTY_VALUE_BYTES} bytes as OpenSearch indexes it (UTF-8 of its key path, '=' and its value; an array as its JSON text)`,
    };
  }
  return undefined;
}

interface PropertiesWalk {
  /** Values `properties` flattens to: every non-object value (arrays count once). */
  leaves: number;
  /** The keys down to the first value over MAX_PROPERTY_VALUE_BYTES, if any. */
  tooLong: string[] | undefined;
}

/** `pathUnits`: UTF-16 length of the flattened path to `source`, its trailing separator included. */
function walkProperties(
  source: Record<string, unknown>,
  keys: string[],
  pathUnits: number,
  walk: PropertiesWalk,
): void {
  for (const key in source) {
    const value = source[key];
    keys.push(key);
    if (isPlainObject(value)) {
      walkProperties(value, keys, pathUnits + key.length + PROPERTY_PATH_SEPARATOR.length, walk);
    } else {
      walk.leaves++;
      if (walk.tooLong === undefined && isIndexedTooLong(keys, pathUnits + key.length, value)) {
        walk.tooLong = [...keys];
      }
    }
    keys.pop();
  }
}

/** What indexedPropertyBytes adds to the path and the value (`properties.` and `=`). */
const INDEXED_OVERHEAD_BYTES = indexedPropertyBytes('', '');
// UTF-8 takes at most 3 bytes per UTF-16 unit (4 for a surrogate pair), and JSON's longest escape,
// \u001f, 6 bytes: a bound from lengths alone settles nearly every value without encoding it.
const MAX_BYTES_PER_UNIT = 3;
const MAX_JSON_BYTES_PER_UNIT = 6;
/** Longer than any number's or boolean's text (`-1.7976931348623157e+308` is 24 characters). */
const MAX_SCALAR_TEXT_UNITS = 25;

/** Whether a flattened value (a string, a number's or boolean's text, or an array's JSON text) is over the bound. */
function isIndexedTooLong(keys: string[], pathUnits: number, value: unknown): boolean {
  if (value === null) return false; // flat_object indexes nothing for null
  if (Array.isArray(value)) {
    let bound = 2;
    for (const item of value) {
      bound += typeof item === 'string' ? item.length * MAX_JSON_BYTES_PER_UNIT + 3 : MAX_SCALAR_TEXT_UNITS;
    }
    if (INDEXED_OVERHEAD_BYTES + pathUnits * MAX_BYTES_PER_UNIT + bound <= MAX_PROPERTY_VALUE_BYTES)
      return false;
    return (
      indexedPropertyBytes(keys.join(PROPERTY_PATH_SEPARATOR), JSON.stringify(value)) >
      MAX_PROPERTY_VALUE_BYTES
    );
  }
  const text = typeof value === 'string' ? value : String(value);
  if (INDEXED_OVERHEAD_BYTES + (pathUnits + text.length) * MAX_BYTES_PER_UNIT <= MAX_PROPERTY_VALUE_BYTES) {
    return false;
  }
  return indexedPropertyBytes(keys.join(PROPERTY_PATH_SEPARATOR), text) > MAX_PROPERTY_VALUE_BYTES;
}

/**
 * Strings are well-formed Unicode (DESIGN.md), values and keys alike: a lone UTF-16 surrogate,
 * which JSON can write as an escape (`"\udc00"`, what a browser sends when it cuts an emoji in
 * half) but UTF-8 cannot hold, is refused rather than repaired, so that what is stored is what was
 * sent and no store is handed text it refuses (DuckDB refuses the whole batch). JSON Schema cannot
 * express it, hence this walk; it costs little, as a string V8 holds one byte per character (nearly
 * all of them) answers isWellFormed without a scan.
 */
function malformedUnicodeRefusal(event: Record<string, unknown>): Refusal | undefined {
  // The schema has let through only its own field names (ASCII) at the top level: their values remain.
  for (const name in event) {
    const keys = malformedStringKeys(event[name]);
    if (keys === undefined) continue;
    const field = pointerOf([name, ...keys]);
    return {
      reason: 'malformed_unicode',
      field,
      message: `${field} is not well-formed Unicode: it holds half of a UTF-16 surrogate pair (a character such as an emoji cut in two)`,
    };
  }
  return undefined;
}

/** The keys down to the first string, a key or a value, that is not well-formed, if any. */
function malformedStringKeys(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : [];
  if (typeof value !== 'object' || value === null) return undefined;
  // for...in lists an array's indices too; parsed JSON has no inherited enumerable keys.
  for (const key in value) {
    if (!key.isWellFormed()) return [key];
    const below = malformedStringKeys((value as Record<string, unknown>)[key]);
    if (below !== undefined) return [key, ...below];
  }
  return undefined;
}

/**
 * The JSON pointer (RFC 6901) of a path of keys: `~` and `/` escaped, and made well-formed (a lone
 * surrogate becomes U+FFFD) so that a refusal can always be logged and stored.
 */
function pointerOf(keys: readonly string[]): string {
  let pointer = '';
  for (const key of keys) pointer += `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
  return pointer.toWellFormed();
}
