import { gzipSync } from 'node:zlib';
import type { FailedRecord } from '../../../contract';
import type { ObjectStore } from '../../../local/lake/object-store';

/** The object-store port in memory: what the reader and the redrive record need, nothing else. */
export class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, Buffer>();

  async put(key: string, body: Uint8Array): Promise<void> {
    this.objects.set(key, Buffer.from(body));
  }

  async get(key: string): Promise<Buffer> {
    const body = this.objects.get(key);
    if (body === undefined) throw new Error(`no object ${key}`);
    return body;
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }
}

export const DAY = 86_400_000;
export const ARRIVAL = Date.UTC(2026, 10, 22, 7, 35, 12);
/** 40 days before ARRIVAL: too old under the transform's default age limit (30 days), not under 60. */
export const TOO_OLD_EVENT_TIME = new Date(ARRIVAL - 40 * DAY).toISOString();

/** A wire event (what a tracker sends); `overrides` with undefined values remove fields. */
export function wireEvent(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: id,
    event_type: 'impression',
    advertiser_id: 'adv-1',
    event_time: new Date(ARRIVAL - 60_000).toISOString(),
    ...overrides,
  };
}

export function base64Line(value: unknown): string {
  return Buffer.from(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`).toString('base64');
}

/** A processing-failed record as the local pipeline (and Firehose) writes it. */
export function processingFailed(
  rawData: string,
  arrival = ARRIVAL,
  errorCode = 'Lambda.ProcessingFailedStatus',
): FailedRecord {
  return {
    attemptsMade: 1,
    arrivalTimestamp: arrival,
    errorCode,
    errorMessage: 'ProcessingFailed status set for record',
    attemptEndingTimestamp: arrival + 1000,
    rawData,
    lambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:clickstream-transform',
  };
}

/** Failure records as one gzip object under `errors/<type>/dt=<day of arrival>/`. */
export function putErrorObject(
  store: MemoryStore,
  type: string,
  records: readonly FailedRecord[],
  name = 'part',
  arrival = records[0]?.arrivalTimestamp ?? ARRIVAL,
): string {
  const key = `errors/${type}/dt=${new Date(arrival).toISOString().slice(0, 10)}/clickstream-events-1-${name}.gz`;
  store.objects.set(key, gzipSync(records.map((r) => `${JSON.stringify(r)}\n`).join('')));
  return key;
}
