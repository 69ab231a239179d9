import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FailedRecord } from '../../contract';
import type { WindowSummary } from '../../lambdas/aggregator/summary';
import { WINDOW_MS } from '../../lambdas/aggregator/windows';
import { LocalDatabase } from '../../local/duckdb/database';
import { EVENT_INDEX_TABLE } from '../../local/event-index/duckdb-event-index';
import { dataDirLayout } from '../../local/pipeline/data-dir';
import { FileSummaryStore } from '../../local/summary-store/file-summary-store';

/** Every file under `dir` (recursively), as full paths; none when it does not exist. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Calls `visit` with each JSON line of each gzip object under a lake prefix, parsed; unparsable lines as `undefined`. */
export async function forEachLakeLine(
  dataDir: string,
  prefix: string,
  visit: (line: unknown, raw: string) => void,
): Promise<void> {
  for (const path of await filesUnder(join(dataDirLayout(dataDir).lake, prefix))) {
    if (!path.endsWith('.gz')) continue;
    for (const raw of gunzipSync(await readFile(path))
      .toString('utf8')
      .split('\n')) {
      if (raw.length === 0) continue;
      let line: unknown;
      try {
        line = JSON.parse(raw);
      } catch {
        line = undefined;
      }
      visit(line, raw);
    }
  }
}

/** How many times each event_id is in the lake's events/. */
export async function lakeEventCounts(dataDir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  await forEachLakeLine(dataDir, 'events', (line) => {
    const id = (line as { event_id?: unknown } | undefined)?.event_id;
    if (typeof id === 'string') counts.set(id, (counts.get(id) ?? 0) + 1);
  });
  return counts;
}

/** Every failure record under errors/, with the folder (error output type) it is in. */
export async function lakeFailures(dataDir: string): Promise<{ type: string; record: FailedRecord }[]> {
  const failures: { type: string; record: FailedRecord }[] = [];
  const errors = join(dataDirLayout(dataDir).lake, 'errors');
  for (const type of await readdir(errors).catch(() => [] as string[])) {
    await forEachLakeLine(dataDir, `errors/${type}`, (line) => {
      if (line !== undefined) failures.push({ type, record: line as FailedRecord });
    });
  }
  return failures;
}

/** The DuckDB event index's rows per event_id (the pipeline must be stopped: DuckDB has one writer). */
export async function indexedEventCounts(
  dataDir: string,
): Promise<{ counts: Map<string, number>; byAdvertiserWindow: Map<string, Map<number, number>> }> {
  const db = await LocalDatabase.open(dataDirLayout(dataDir).eventIndex, { access_mode: 'READ_ONLY' });
  try {
    const rows = await db.all<{ event_id: string; n: bigint }>(
      `SELECT event_id, count(*) AS n FROM ${EVENT_INDEX_TABLE} GROUP BY event_id`,
    );
    const windows = await db.all<{ advertiser_id: string; window_start: bigint; n: bigint }>(
      `SELECT advertiser_id, (epoch_ms(event_time::TIMESTAMP) // ${WINDOW_MS}) * ${WINDOW_MS} AS window_start, count(*) AS n
       FROM ${EVENT_INDEX_TABLE} GROUP BY ALL`,
    );
    const byAdvertiserWindow = new Map<string, Map<number, number>>();
    for (const row of windows) {
      const perWindow = byAdvertiserWindow.get(row.advertiser_id) ?? new Map<number, number>();
      byAdvertiserWindow.set(row.advertiser_id, perWindow);
      perWindow.set(Number(row.window_start), Number(row.n));
    }
    return { counts: new Map(rows.map((r) => [r.event_id, Number(r.n)])), byAdvertiserWindow };
  } finally {
    db.close();
  }
}

/** The stored summaries of one advertiser over a range of windows, by window start, through the store's own reader. */
export async function storedSummaries(
  dataDir: string,
  advertiserId: string,
  from: number,
  to: number,
): Promise<Map<number, WindowSummary>> {
  const store = new FileSummaryStore(dataDir);
  const found = new Map<number, WindowSummary>();
  let after: number | undefined;
  do {
    const page = await store.query({
      advertiserId,
      range: { from, to },
      limit: 500,
      ...(after === undefined ? {} : { after }),
    });
    for (const summary of page.summaries) found.set(summary.windowStart, summary);
    after = page.after;
  } while (after !== undefined);
  return found;
}

/** A temporary file a writer left: the lake's `.tmp-*`, the summary store's `*.tmp`, the index's batch files. */
export function isTemporaryFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.startsWith('.tmp-') || name.endsWith('.tmp') || /^clickstream-index-.*\.ndjson$/.test(name);
}

export interface TemporaryFile {
  path: string;
  /** Readable by users other than the owner (mode & 0o044). */
  exposed: boolean;
}

/** Temporary files under the given folders (the data dir and the serve's TMPDIR). */
export async function temporaryFiles(...dirs: string[]): Promise<TemporaryFile[]> {
  const found: TemporaryFile[] = [];
  for (const dir of dirs) {
    for (const path of (await filesUnder(dir)).filter(isTemporaryFile)) {
      const info = await stat(path).catch(() => undefined);
      if (info !== undefined) found.push({ path, exposed: (info.mode & 0o044) !== 0 });
    }
  }
  return found;
}

/** Spool segment files, and how many are empty. */
export async function spoolSegments(
  dataDir: string,
  streamName: string,
): Promise<{ files: number; empty: number }> {
  const dir = dataDirLayout(dataDir).spool(streamName);
  let files = 0;
  let empty = 0;
  for (const path of await filesUnder(dir)) {
    if (!path.endsWith('.wal')) continue;
    files += 1;
    if ((await stat(path).catch(() => undefined))?.size === 0) empty += 1;
  }
  return { files, empty };
}
