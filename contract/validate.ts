import { isIP } from 'node:net';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import type { StoredEvent, WireEvent } from './event.generated';
import schema from './event.schema.json' with { type: 'json' };
import { codePointLengthLimits } from './length-keywords';
import { MAX_FLAT_PROPERTIES, MAX_PROPERTY_DEPTH } from './limits';
import type { FailureReason, Refusal } from './reasons';
import { toEpochMillis } from './time';

export type Validation<T> = { ok: true; event: T } | ({ ok: false } & Refusal);

// One compiled validator per shape, built once per process, on the hot path of both the tracker
// and the transform, hence:
// - allErrors off: the first error is enough for a reason;
// - formats checked by the same parser the transform normalises with (so `date-time` accepts
//   exactly what toEpochMillis can read, real calendar days only) and by node:net for addresses
//   (`ip`, the contract's own format: either family), instead of a second, slower set of regular
//   expressions;
// - string lengths counted in code points only when the UTF-16 length cannot decide.
const ajv = new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true });
ajv.addFormat('date-time', {
  type: 'string',
  validate: (text: string) => !Number.isNaN(toEpochMillis(text)),
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
  if (value.properties !== undefined && countLeaves(value.properties) > MAX_FLAT_PROPERTIES) {
    return {
      ok: false,
      reason: 'too_many_properties',
      field: '/properties',
      message: `properties has more than ${MAX_FLAT_PROPERTIES} values once flattened`,
    };
  }
  return { ok: true, event: value };
}

/** Checks a value against the stored format (what the transform emits and the lake holds). */
export function validateStoredEvent(value: unknown): Validation<StoredEvent> {
  if (!isPlainObject(value)) return notAnObject();
  if (!storedValidator(value)) return refusalFrom(storedValidator.errors, value);
  return { ok: true, event: value };
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

/** Turns ajv's first error into a typed refusal whose message names the field but not its value. */
function refusalFrom(
  errors: ErrorObject[] | null | undefined,
  event: Record<string, unknown>,
): { ok: false } & Refusal {
  const error = errors?.[0];
  if (error === undefined) return { ok: false, reason: 'invalid_field', message: 'event failed validation' };
  const path = error.instancePath;
  const topField = path.split('/')[1] ?? '';
  const where = path === '' ? 'event' : path;
  const refuse = (reason: FailureReason, field: string | undefined, message: string) =>
    ({ ok: false, reason, ...(field === undefined ? {} : { field }), message }) as const;

  if (error.keyword === 'required') {
    const missing = String(error.params.missingProperty);
    return refuse('missing_required_field', `${path}/${missing}`, `${missing} is required`);
  }
  if (error.keyword === 'additionalProperties' && path === '') {
    const extra = String(error.params.additionalProperty);
    return refuse(
      'unknown_field',
      `/${extra}`,
      `${extra} is not a field of the event format (custom keys go in properties)`,
    );
  }
  if (topField === 'properties') {
    return propertiesRefusal(decisiveError(errors) ?? error, event.properties, refuse);
  }
  const fieldReason = FIELD_REASONS[topField];
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
  const where = error.instancePath;
  if (error.keyword === 'propertyNames' || error.propertyName !== undefined) {
    return refuse(
      'invalid_property_key',
      where,
      `${where} has a key that is empty, longer than 128 characters, or contains '.' or a control character`,
    );
  }
  if (error.keyword === 'maxProperties')
    return refuse('too_many_properties', where, `${where} ${error.message}`);
  if (depthOf(properties) > MAX_PROPERTY_DEPTH) {
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

/** Objects nested in a value, the value itself included (arrays do not count as a level). */
function depthOf(value: unknown): number {
  if (!isPlainObject(value)) return 0;
  let deepest = 0;
  for (const key in value) deepest = Math.max(deepest, depthOf(value[key]));
  return 1 + deepest;
}

/** Values `properties` flattens to: every non-object value (arrays count once). */
function countLeaves(value: unknown): number {
  if (!isPlainObject(value)) return 1;
  let leaves = 0;
  for (const key in value) leaves += countLeaves(value[key]);
  return leaves;
}
