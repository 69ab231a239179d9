/**
 * Why a record was refused. A closed set: each value becomes a metric dimension and a column in
 * the failed-events queries, so add new values deliberately.
 */
export const FAILURE_REASONS = [
  // Decoding (the transform, before the event is looked at).
  'invalid_base64',
  'invalid_utf8',
  'invalid_json',
  'not_an_object',
  'record_too_large',
  // The event against the schema.
  'missing_required_field',
  'unknown_field',
  'invalid_field_type',
  'invalid_event_id',
  'invalid_event_type',
  'invalid_advertiser_id',
  'invalid_timestamp',
  'invalid_money',
  'invalid_field',
  'field_too_long',
  'invalid_property_key',
  'too_many_properties',
  'properties_too_deep',
  'property_value_too_long',
  // A string, key or value, that is not well-formed Unicode (a lone UTF-16 surrogate), which JSON
  // Schema cannot express and stores refuse (contract/validate.ts).
  'malformed_unicode',
  // Plausibility checks the schema cannot express (the transform).
  'timestamp_in_future',
  'event_too_old',
  // The transform's own output: a valid event whose stored line would grow more than the bound
  // (lambdas/transform/growth-bound.ts), which keeps one invocation's response under Lambda's 6 MB.
  'enriched_event_too_large',
] as const;

export type FailureReason = (typeof FAILURE_REASONS)[number];

/** A refusal: a reason for machines, a message for people. Messages never echo field values. */
export interface Refusal {
  reason: FailureReason;
  /** The offending field as a JSON pointer into the event (`/properties/plan`), when there is one. */
  field?: string;
  message: string;
}
