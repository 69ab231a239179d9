// Builders for Firehose data-transformation events and readers for their results.
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import { readTransformConfig } from '../../../lambdas/transform/config';
import { createEnrichers, type Enrichers } from '../../../lambdas/transform/stored-event';

/** 2026-11-22T07:40:00.000Z: a little after validEvent()'s event_time. */
export const ARRIVAL_MS = Date.UTC(2026, 10, 22, 7, 40);

/** A record whose data is the base64 of `payload` (an object is sent as its JSON text, a string as is). */
export function recordOf(
  payload: unknown,
  recordId = 'r-1',
  approximateArrivalTimestamp = ARRIVAL_MS,
): FirehoseTransformationEventRecord {
  const bytes =
    payload instanceof Uint8Array
      ? Buffer.from(payload)
      : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return { recordId, approximateArrivalTimestamp, data: bytes.toString('base64') };
}

/** A record with raw base64 data, for data that is not base64 at all. */
export function rawRecord(data: string, recordId = 'r-1'): FirehoseTransformationEventRecord {
  return { recordId, approximateArrivalTimestamp: ARRIVAL_MS, data };
}

export function firehoseEvent(records: FirehoseTransformationEventRecord[]): FirehoseTransformationEvent {
  return {
    invocationId: 'invocation-1',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/clickstream',
    region: 'eu-west-1',
    records,
  };
}

/** The text of an Ok record's data. */
export function lineOf(result: FirehoseTransformationResultRecord | undefined): string {
  if (result?.data === undefined) throw new Error('result has no data');
  return Buffer.from(result.data, 'base64').toString('utf8');
}

/** The stored event of an Ok record. */
export function storedOf(result: FirehoseTransformationResultRecord | undefined): Record<string, unknown> {
  return JSON.parse(lineOf(result));
}

export function enrichersFor(env: Record<string, string> = {}): Enrichers {
  return createEnrichers(readTransformConfig(env));
}
