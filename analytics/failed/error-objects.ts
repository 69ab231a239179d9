import { promisify } from 'node:util';
import { gunzip as gunzipCallback } from 'node:zlib';
import { ERROR_OUTPUT_TYPES, type ErrorOutputType, type FailedRecord } from '../../contract';
import type { ObjectStore } from '../../local/lake/object-store';

const gunzip = promisify(gunzipCallback);
const DAY_MS = 86_400_000;

/** Arrival times to read, in epoch milliseconds: `from` inclusive, `to` exclusive; either may be open. */
export interface ArrivalRange {
  from?: number;
  to?: number;
}

/** One failure record of an `errors/` object, with where it was read. */
export interface FailedRecordAt {
  record: FailedRecord;
  errorOutputType: ErrorOutputType;
  key: string;
  /** 1-based line number in the object. */
  line: number;
}

/** A file or a line that could not be read; the rest of the read goes on. */
export interface ReadProblem {
  key: string;
  line?: number;
  message: string;
}

export interface ReadOptions {
  onProblem?: (problem: ReadProblem) => void;
  /** After each object: how many of the selected objects have been read. */
  onObject?: (read: number, total: number) => void;
}

/** `errors/<error-output-type>/dt=YYYY-MM-DD/<name>`, as Firehose and the local pipeline write them. */
const ERROR_KEY = /^errors\/([^/]+)\/dt=(\d{4}-\d{2}-\d{2})\/[^/]+$/;

/**
 * The failure records under `errors/` whose arrival time lies in `range`, object by object in key
 * order. Objects are pruned by their `dt=` folder first: Firehose dates an object by the arrival of
 * its oldest record, so a record arriving on day D sits in D's folder or, when its buffer opened
 * before midnight, in the day before's. An object that cannot be read (not gzip, not there any more)
 * and a line that is not a failure record are reported and skipped.
 */
export async function* readFailedRecords(
  store: ObjectStore,
  range: ArrivalRange,
  options: ReadOptions = {},
): AsyncGenerator<FailedRecordAt> {
  const problem = options.onProblem ?? (() => undefined);
  const keys: { key: string; type: ErrorOutputType }[] = [];
  for (const type of ERROR_OUTPUT_TYPES) {
    for (const key of await store.list(`errors/${type}/`)) {
      const match = ERROR_KEY.exec(key);
      if (match === null || match[1] !== type) {
        problem({ key, message: 'not an errors/<error-output-type>/dt=YYYY-MM-DD/ object; skipped' });
        continue;
      }
      if (mayHoldArrivals(match[2]!, range)) keys.push({ key, type });
    }
  }
  let read = 0;
  for (const { key, type } of keys) {
    read += 1;
    let text: string;
    try {
      text = await objectText(await store.get(key));
    } catch (error) {
      problem({ key, message: `cannot read the object: ${messageOf(error)}` });
      options.onObject?.(read, keys.length);
      continue;
    }
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.trim() === '') continue;
      const parsed = parseFailedRecord(line);
      if (typeof parsed === 'string') {
        problem({ key, line: i + 1, message: parsed });
        continue;
      }
      if (isInRange(parsed.arrivalTimestamp, range)) {
        yield { record: parsed, errorOutputType: type, key, line: i + 1 };
      }
    }
    options.onObject?.(read, keys.length);
  }
}

function mayHoldArrivals(day: string, range: ArrivalRange): boolean {
  const start = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(start)) return false;
  // Records in a day's folder arrived that day or, for a buffer open across midnight, after it.
  if (range.to !== undefined && start >= range.to) return false;
  if (range.from !== undefined && start + 2 * DAY_MS <= range.from) return false;
  return true;
}

function isInRange(arrival: number, range: ArrivalRange): boolean {
  return (
    (range.from === undefined || arrival >= range.from) && (range.to === undefined || arrival < range.to)
  );
}

/** Firehose compresses error objects as it compresses the destination (GZIP here); plain text is read too. */
async function objectText(body: Buffer): Promise<string> {
  const gzipped = body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
  const bytes = gzipped ? await gunzip(body) : body;
  return bytes.toString('utf8');
}

/**
 * One line of an error object as a FailedRecord, or why it is not one. Firehose's documentation
 * shows the numbers as quoted strings in one example, so numeric text is read as a number too.
 * Fields this reader does not use (OpenSearch's esTypeName, a subsequenceNumber) are kept out.
 */
export function parseFailedRecord(line: string): FailedRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not a JSON line';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const fields = value as Record<string, unknown>;
  const rawData = fields.rawData;
  if (typeof rawData !== 'string') return 'no rawData';
  const arrivalTimestamp = wholeNumber(fields.arrivalTimestamp);
  if (arrivalTimestamp === undefined) return 'no arrivalTimestamp (epoch milliseconds)';
  const record: FailedRecord = {
    attemptsMade: wholeNumber(fields.attemptsMade) ?? 0,
    arrivalTimestamp,
    errorCode: text(fields.errorCode) ?? '',
    errorMessage: text(fields.errorMessage) ?? '',
    attemptEndingTimestamp: wholeNumber(fields.attemptEndingTimestamp) ?? arrivalTimestamp,
    rawData,
  };
  for (const name of ['lambdaArn', 'esDocumentId', 'esIndexName'] as const) {
    const found = text(fields[name]);
    if (found !== undefined) record[name] = found;
  }
  return record;
}

function wholeNumber(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
