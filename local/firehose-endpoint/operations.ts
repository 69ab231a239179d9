import { DELIVERY_STREAM_NAME_PATTERN, PUT_RECORD_BATCH_LIMITS } from '../../contract';
import { constraintViolation, FirehoseApiError } from './api-error';

/** What the endpoint needs from a delivery stream; the local pipeline implements it. */
export interface DeliveryStreamTarget {
  readonly name: string;
  /** The `DeliveryStreamDescription` object DescribeDeliveryStream returns. */
  describe(): Record<string, unknown>;
  /**
   * Accepts records durably: resolves with one record id per record, in order, only once the
   * records survive a crash. Throws a FirehoseApiError (ServiceUnavailableException) when it cannot
   * take more right now, so the client retries.
   */
  put(records: Buffer[]): Promise<string[]>;
}

export type JsonObject = Record<string, unknown>;

/** Operations outside Firehose's API that the local pipeline offers (target prefix `ClickstreamLocal.`). */
export type LocalOperations = Record<string, (input: JsonObject) => Promise<JsonObject>>;

export interface Streams {
  accountId: string;
  byName: ReadonlyMap<string, DeliveryStreamTarget>;
}

export async function putRecord(input: JsonObject, streams: Streams): Promise<JsonObject> {
  const stream = streamFor(input, streams);
  const record = input.Record;
  if (!isObject(record)) throw constraintViolation('record', 'Member must not be null');
  const data = decodeData(record.Data, 'record.data');
  const [recordId] = await stream.put([data]);
  return { RecordId: recordId, Encrypted: false };
}

export async function putRecordBatch(input: JsonObject, streams: Streams): Promise<JsonObject> {
  const stream = streamFor(input, streams);
  const records = input.Records;
  if (!Array.isArray(records)) throw constraintViolation('records', 'Member must not be null');
  if (records.length === 0) {
    throw constraintViolation('records', 'Member must have length greater than or equal to 1');
  }
  if (records.length > PUT_RECORD_BATCH_LIMITS.maxRecords) {
    throw constraintViolation(
      'records',
      `Member must have length less than or equal to ${PUT_RECORD_BATCH_LIMITS.maxRecords}`,
    );
  }
  const data = records.map((record: unknown, index) => {
    const path = `records.${index + 1}.member.data`;
    if (!isObject(record)) throw constraintViolation(path, 'Member must not be null');
    return decodeData(record.Data, path);
  });
  const total = data.reduce((sum, d) => sum + d.length, 0);
  if (total > PUT_RECORD_BATCH_LIMITS.maxRequestBytes) {
    throw new FirehoseApiError('InvalidArgumentException', 'Records size exceeds 4 MB limit');
  }
  const ids = await stream.put(data);
  return {
    FailedPutCount: 0,
    Encrypted: false,
    RequestResponses: ids.map((id) => ({ RecordId: id })),
  };
}

export function describeDeliveryStream(input: JsonObject, streams: Streams): JsonObject {
  return { DeliveryStreamDescription: streamFor(input, streams).describe() };
}

export function listDeliveryStreams(input: JsonObject, streams: Streams): JsonObject {
  const limit = input.Limit ?? 10;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw constraintViolation('limit', 'Member must have value between 1 and 10000');
  }
  const type = input.DeliveryStreamType;
  const after =
    typeof input.ExclusiveStartDeliveryStreamName === 'string' ? input.ExclusiveStartDeliveryStreamName : '';
  // Every local stream is a Direct PUT stream.
  const names = type === undefined || type === 'DirectPut' ? [...streams.byName.keys()].sort() : [];
  const remaining = names.filter((name) => name > after);
  return {
    DeliveryStreamNames: remaining.slice(0, limit),
    HasMoreDeliveryStreams: remaining.length > limit,
  };
}

function streamFor(input: JsonObject, streams: Streams): DeliveryStreamTarget {
  const name = input.DeliveryStreamName;
  if (typeof name !== 'string') throw constraintViolation('deliveryStreamName', 'Member must not be null');
  if (!DELIVERY_STREAM_NAME_PATTERN.test(name)) {
    throw constraintViolation(
      'deliveryStreamName',
      'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+',
    );
  }
  const stream = streams.byName.get(name);
  if (stream === undefined) {
    throw new FirehoseApiError(
      'ResourceNotFoundException',
      `Firehose ${name} under account ${streams.accountId} not found.`,
    );
  }
  return stream;
}

// Strict base64 (the SDK and the CLI always send padded standard base64); Buffer.from alone
// would silently skip invalid characters.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeData(value: unknown, path: string): Buffer {
  if (value === undefined || value === null) throw constraintViolation(path, 'Member must not be null');
  if (typeof value !== 'string' || !BASE64.test(value)) {
    throw new FirehoseApiError('SerializationException', `'${path}' must be a base64-encoded string`);
  }
  // Checked on the encoded length first so an oversize record is refused before it is decoded.
  if (Math.floor((value.length * 3) / 4) - 2 > PUT_RECORD_BATCH_LIMITS.maxRecordBytes) {
    throw tooLarge(path);
  }
  const data = Buffer.from(value, 'base64');
  if (data.length > PUT_RECORD_BATCH_LIMITS.maxRecordBytes) throw tooLarge(path);
  return data;
}

function tooLarge(path: string): FirehoseApiError {
  return constraintViolation(
    path,
    `Member must have length less than or equal to ${PUT_RECORD_BATCH_LIMITS.maxRecordBytes}`,
  );
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
