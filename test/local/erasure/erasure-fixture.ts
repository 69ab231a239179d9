import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FailedRecord, StoredEvent } from '../../../contract';
import { compactLake } from '../../../local/curated/compaction';
import { curatedLayout } from '../../../local/curated/curated-layout';
import { LocalDatabase } from '../../../local/duckdb/database';
import { writeEventsObject, writeFailedRecordsObject } from '../../../local/duckdb/lake-writer';
import { DuckDbEventIndex, EVENT_INDEX_TABLE } from '../../../local/event-index/duckdb-event-index';
import { dataDirLayout } from '../../../local/pipeline/data-dir';

/** One delivery: events arriving together (one raw object), and the failed records of that buffer. */
export interface Delivery {
  readonly arrival: number;
  readonly events: readonly StoredEvent[];
  readonly failed?: readonly FailedRecord[];
}

/**
 * A data dir as the local pipeline leaves it: raw objects and errors/ objects by arrival, the
 * curated day files of a compaction at `compactAt`, and the DuckDB event index holding every event.
 */
export async function buildDataDir(dataDir: string, deliveries: readonly Delivery[], compactAt: number) {
  const { lake, eventIndex } = dataDirLayout(dataDir);
  for (const delivery of deliveries) {
    const stamped = delivery.events.map((e) => ({
      ...e,
      received_at: new Date(delivery.arrival).toISOString(),
    }));
    if (stamped.length > 0) writeEventsObject(lake, stamped, delivery.arrival);
    if ((delivery.failed?.length ?? 0) > 0) {
      writeFailedRecordsObject(lake, 'processing-failed', delivery.failed ?? [], delivery.arrival);
    }
  }
  await compactLake({ lakeDir: lake, now: () => compactAt });
  const db = await LocalDatabase.open(eventIndex);
  try {
    const index = await DuckDbEventIndex.open(db, { tempDir: dataDir });
    for (const delivery of deliveries) {
      await index.indexEvents(
        delivery.events.map((e) => ({ ...e, received_at: new Date(delivery.arrival).toISOString() })),
      );
    }
  } finally {
    db.close();
  }
}

/** A failed record whose refused record is `record` (JSON, or any text). */
export function failedRecord(record: string, arrival: number): FailedRecord {
  return {
    attemptsMade: 1,
    arrivalTimestamp: arrival,
    errorCode: 'invalid_event',
    errorMessage: 'refused',
    attemptEndingTimestamp: arrival,
    rawData: Buffer.from(record).toString('base64'),
  };
}

/** Every file under a folder (recursive), by path relative to it. */
export function filesUnder(root: string, suffix: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The JSON lines of every gzip object under `<lake>/<prefix>`. */
export function lakeLines(lakeDir: string, prefix: 'events' | 'errors'): string[] {
  return filesUnder(join(lakeDir, prefix), '.gz').flatMap((path) =>
    gunzipSync(readFileSync(path))
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== ''),
  );
}

/** What each store holds: event ids (curated and index) and raw lines, for comparing before and after. */
export async function storeContents(dataDir: string) {
  const { lake, eventIndex } = dataDirLayout(dataDir);
  const db = await LocalDatabase.open();
  try {
    const curatedFiles = filesUnder(curatedLayout(lake).root, '.parquet');
    const curated =
      curatedFiles.length === 0
        ? []
        : await db.all<{ event_id: string; user_id: string | null; anonymous_id: string | null }>(
            `SELECT event_id, user_id, anonymous_id FROM read_parquet('${curatedLayout(lake).glob}') ORDER BY event_id`,
          );
    await db.run(`ATTACH '${eventIndex}' AS idx (READ_ONLY)`);
    const index = await db.all<{ event_id: string; user_id: string | null; anonymous_id: string | null }>(
      `SELECT event_id, user_id, anonymous_id FROM idx.${EVENT_INDEX_TABLE} ORDER BY event_id`,
    );
    await db.run('DETACH idx');
    return { curated, index, raw: lakeLines(lake, 'events'), errors: lakeLines(lake, 'errors') };
  } finally {
    db.close();
  }
}
