import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { errorsPrefixFor, eventsPrefixFor, type FailedRecord, type StoredEvent } from '../../contract';

/**
 * Writes one gzip NDJSON object as Firehose names it (`<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>.gz`)
 * under the prefix for its arrival time. Used to lay out a lake in tests and benchmarks exactly as
 * the delivery stream does.
 */
function writeObject(
  lakeDir: string,
  prefix: string,
  lines: readonly unknown[],
  arrivalMillis: number,
): string {
  const stamp = new Date(arrivalMillis).toISOString().slice(0, 19).replace(/[T:]/g, '-');
  const key = `${prefix}clickstream-1-${stamp}-${randomUUID()}.gz`;
  const path = join(lakeDir, key);
  mkdirSync(join(lakeDir, prefix), { recursive: true });
  writeFileSync(path, gzipSync(lines.map((line) => `${JSON.stringify(line)}\n`).join('')));
  return path;
}

/** Events delivered at `arrivalMillis`, under `events/dt=.../hour=.../`. Returns the file path. */
export function writeEventsObject(
  lakeDir: string,
  events: readonly StoredEvent[],
  arrivalMillis: number,
): string {
  return writeObject(lakeDir, eventsPrefixFor(arrivalMillis), events, arrivalMillis);
}

/** Failed records delivered at `arrivalMillis`, under `errors/<type>/dt=.../`. Returns the file path. */
export function writeFailedRecordsObject(
  lakeDir: string,
  errorOutputType: string,
  records: readonly FailedRecord[],
  arrivalMillis: number,
): string {
  return writeObject(lakeDir, errorsPrefixFor(errorOutputType, arrivalMillis), records, arrivalMillis);
}
