import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatErasureReport } from '../../../analytics/erasure/report';
import type { StoredEvent } from '../../../contract';
import { eraseLocally } from '../../../local/erasure/local-erasure';
import { dataDirLayout } from '../../../local/pipeline/data-dir';
import { buildDataDir, failedRecord, filesUnder, storeContents } from './erasure-fixture';

const H = 3_600_000;
const T0 = Date.parse('2026-11-10T09:00:00.000Z');

function event(id: string, time: string, fields: Partial<StoredEvent>): StoredEvent {
  return {
    event_id: id,
    event_type: 'click',
    advertiser_id: 'adv-a',
    event_time: time,
    received_at: '',
    ...fields,
  };
}

let dataDir: string;
beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'clickstream-erase-'));
  await buildDataDir(
    dataDir,
    [
      {
        arrival: T0,
        events: [
          event('e1', '2026-11-10T08:00:00.000Z', { user_id: "u'1" }),
          event('e2', '2026-11-10T08:01:00.000Z', { user_id: 'u2', anonymous_id: "u'1" }),
          event('e3', '2026-11-01T08:00:00.000Z', { user_id: "u'1", anonymous_id: 'a9' }),
        ],
        failed: [
          failedRecord(JSON.stringify({ event_id: 'f1', user_id: "u'1", event_type: 'BAD' }), T0),
          failedRecord('{"event_id":"f2","user_id": "u\'1", "event_time": ', T0),
          failedRecord(JSON.stringify({ event_id: 'f3', user_id: 'u2' }), T0),
        ],
      },
      // A later hour the compaction has not reached: its events are only raw.
      { arrival: T0 + 2 * H, events: [event('e4', '2026-11-10T10:00:00.000Z', { user_id: "u'1" })] },
      { arrival: T0 + 2 * H + 1, events: [event('e5', '2026-11-10T10:00:00.000Z', { user_id: 'u3' })] },
    ],
    T0 + 1.5 * H,
  );
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const subject = { column: 'user_id' as const, value: "u'1" };

describe('eraseLocally', () => {
  it('removes the user from the raw lake, errors/, the curated days and the event index, and reports each', async () => {
    const report = await eraseLocally({ dataDir }, subject);

    const after = await storeContents(dataDir);
    expect(after.curated.map((r) => r.event_id)).toEqual(['e2']);
    expect(after.index.map((r) => r.event_id)).toEqual(['e2', 'e5']);
    expect(after.raw.map((l) => (JSON.parse(l) as StoredEvent).event_id).sort()).toEqual(['e2', 'e5']);
    expect(after.errors.map((l) => Buffer.from(JSON.parse(l).rawData, 'base64').toString())).toEqual([
      '{"event_id":"f3","user_id":"u2"}',
    ]);
    expect(report).toMatchObject({
      target: 'local',
      curatedRowsDeleted: 2,
      eventIndexDocumentsDeleted: 3,
      unsearched: [],
    });
    expect(report.curatedFiles).toEqual([
      { key: 'curated/event_date=2026-11-01/events.parquet', rowsRemoved: 1, rowsKept: 0 },
      { key: 'curated/event_date=2026-11-10/events.parquet', rowsRemoved: 1, rowsKept: 1 },
    ]);
    expect(report.rawObjects.map((o) => [o.linesRemoved, o.linesKept])).toEqual([
      [2, 1],
      [1, 0],
    ]);
    expect(report.errorObjects).toEqual([expect.objectContaining({ linesRemoved: 2, linesKept: 1 })]);
    expect(formatErasureReport(report)).toContain(
      'failed records (errors/): 2 record(s) removed from 1 object(s)',
    );
  });

  it('erases by anonymous_id without touching the rows where the same text is a user_id', async () => {
    const report = await eraseLocally({ dataDir }, { column: 'anonymous_id', value: "u'1" });

    const after = await storeContents(dataDir);
    expect(report.curatedRowsDeleted).toBe(1);
    expect(after.index.map((r) => r.event_id)).toEqual(['e1', 'e3', 'e4', 'e5']);
    expect(after.curated.map((r) => r.event_id)).toEqual(['e1', 'e3']);
  });

  it('keeps every other line byte for byte, the object key and its modification time', async () => {
    const { lake } = dataDirLayout(dataDir);
    const objects = filesUnder(join(lake, 'events'), '.gz');
    const before = objects.map((path) => ({ path, mtime: statSync(path).mtimeMs }));
    const othersBefore = (await storeContents(dataDir)).raw.filter((l) => !l.includes(`"user_id":"u'1"`));

    await eraseLocally({ dataDir }, subject);

    expect(filesUnder(join(lake, 'events'), '.gz')).toEqual(objects);
    // Within a millisecond: the compaction compares modification times with a 2-second slack.
    for (const { path, mtime } of before) expect(Math.abs(statSync(path).mtimeMs - mtime)).toBeLessThan(1);
    expect((await storeContents(dataDir)).raw).toEqual(othersBefore);
  });

  it('a dry run reports the same counts and changes no file', async () => {
    const files = filesUnder(dataDir, '');
    const bytes = files.map((path) => readFileSync(path));

    const dry = await eraseLocally({ dataDir, dryRun: true }, subject);

    expect(files.map((path) => readFileSync(path))).toEqual(bytes);
    const real = await eraseLocally({ dataDir }, subject);
    expect({ ...dry, dryRun: undefined }).toEqual({ ...real, dryRun: undefined });
    expect(dry.dryRun).toBe(true);
    expect(formatErasureReport(dry)).toMatch(/^Dry run, nothing changed: would erase/);
  });

  it('a second run finds nothing', async () => {
    await eraseLocally({ dataDir }, subject);

    const again = await eraseLocally({ dataDir }, subject);

    expect(again).toMatchObject({
      curatedRowsDeleted: 0,
      rawObjects: [],
      errorObjects: [],
      eventIndexDocumentsDeleted: 0,
    });
  });

  it('refuses while a pipeline holds the data dir, and changes nothing', async () => {
    // The lock names a running process (this one runs the test; a pipeline's pid in real use).
    const lock = dataDirLayout(dataDir).lock;
    const parent = process.ppid;
    writeFileSync(lock, String(parent));
    const before = await storeContents(dataDir);

    await expect(eraseLocally({ dataDir }, subject)).rejects.toThrow(
      new RegExp(`another clickstream pipeline \\(pid ${parent}\\) is using`),
    );
    expect(await storeContents(dataDir)).toEqual(before);
    rmSync(lock);
  });

  it('reports an object it cannot read, and still erases everywhere else', async () => {
    const { lake } = dataDirLayout(dataDir);
    const broken = join(lake, 'events/dt=2026-11-10/hour=09/clickstream-1-broken.gz');
    // A gzip object cut short (a disk fault): neither DuckDB nor gunzip can read it whole.
    writeFileSync(broken, gzipSync(`${JSON.stringify({ event_id: 'x', user_id: "u'1" })}\n`).subarray(0, 25));

    const report = await eraseLocally({ dataDir }, subject);

    expect(report.unsearched).toEqual([
      {
        key: 'events/dt=2026-11-10/hour=09/clickstream-1-broken.gz',
        error: expect.stringMatching(/end of file/),
      },
    ]);
    expect(report.curatedRowsDeleted).toBe(2);
    expect(formatErasureReport(report)).toContain(
      'NOT SEARCHED events/dt=2026-11-10/hour=09/clickstream-1-broken.gz',
    );
  });

  it('says what stays behind, naming undelivered spool segments', async () => {
    const spool = dataDirLayout(dataDir).spool('clickstream');
    mkdirSync(spool, { recursive: true });
    writeFileSync(join(spool, 'segment-1.wal'), '{}\n');

    const report = await eraseLocally({ dataDir, dryRun: true }, subject);

    expect(report.remains.join('\n')).toMatch(/summaries/);
    expect(report.remains.join('\n')).toMatch(/1 spool segment\(s\)/);
  });
});

describe('eraseLocally with --opensearch-url', () => {
  it('sends _count for a dry run and _delete_by_query on events-* for the erase, and reports both indexes', async () => {
    const { createServer } = await import('node:http');
    const requests: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        requests.push(`${request.method} ${request.url} ${body}`);
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify(request.url?.includes('_count') ? { count: 2 } : { deleted: 2, failures: [] }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const dry = await eraseLocally({ dataDir, openSearchUrl: url, dryRun: true }, subject);
      const real = await eraseLocally({ dataDir, openSearchUrl: url }, subject);

      expect(requests.map((r) => r.split(' ').slice(0, 2).join(' ').split('?')[0])).toEqual([
        'POST /events-*/_count',
        'POST /events-*/_delete_by_query',
      ]);
      expect(requests[1]).toContain('conflicts=proceed');
      expect(requests.every((r) => r.endsWith(JSON.stringify({ query: { term: { user_id: "u'1" } } })))).toBe(
        true,
      );
      expect(dry.eventIndexes).toEqual([
        { index: `duckdb ${dataDirLayout(dataDir).eventIndex}`, documentsDeleted: 3 },
        { index: `opensearch ${url} events-*`, documentsDeleted: 2 },
      ]);
      expect(real.eventIndexDocumentsDeleted).toBe(5);
    } finally {
      server.close();
    }
  });
});
