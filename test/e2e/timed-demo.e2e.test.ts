import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSavedQueries } from '../../analytics/catalog';
import { runLocally } from '../../analytics/local-runner';
import { findSavedQuery } from '../../analytics/lookup';
import { parseParameterValues } from '../../analytics/parameters';
import { type ReplayReport, replayTimedFile } from '../../local/pipeline/replay';
import { FileSummaryStore } from '../../local/summary-store/file-summary-store';
import type { TrafficTally } from '../../local/traffic/generate-traffic';
import { writeTrafficFile } from '../../local/traffic/traffic-file';
import { silenceLambdaTelemetry } from './helpers';

silenceLambdaTelemetry();

const HOUR = 3_600_000;
const END = Date.now();

describe('a generated day replayed at its recorded arrival times (the demo)', () => {
  let dir: string;
  let tally: TrafficTally;
  let report: ReplayReport;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'timed-demo-'));
    const file = join(dir, 'traffic.ndjson');
    tally = await writeTrafficFile(file, { events: 4_000, end: END, seed: 13, advertisers: 8 });
    report = await replayTimedFile({
      file,
      // The demo's defaults for a timed replay: Firehose's 300 s buffers, runs every 15 minutes.
      pipeline: {
        dataDir: join(dir, 'data'),
        summaryIntervalSeconds: 900,
        buffering: { sizeBytes: 2 ** 20, intervalMs: 300_000 },
        latenessHorizonMinutes: 180,
      },
      until: END,
    });
  }, 300_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('counts as late_events exactly the events whose arrival came after their window was final: a few, not the day', async () => {
    const late = await totalLateEvents(join(dir, 'data'));

    expect(tally.afterFinal).toBeGreaterThan(0);
    expect(late).toBe(tally.afterFinal);
    expect(late / tally.events).toBeLessThan(0.02);
    expect(report.pipeline.failed).toBe(tally.malformed);
  });

  it('late_arrivals sees the recorded delays: a median of seconds, a small share over an hour', async () => {
    const query = findSavedQuery(loadSavedQueries(), 'late_arrivals');
    const days = [new Date(END - 24 * HOUR), new Date(END)].map((d) => d.toISOString().slice(0, 10));
    const result = await runLocally(query, parseParameterValues(query, days), { dataDir: join(dir, 'data') });
    const column = (name: string) => result.columns.findIndex((c) => c.name === name);

    expect(result.rows.length).toBeGreaterThan(0);
    for (const row of result.rows) {
      expect(Number(row[column('p50_seconds')])).toBeLessThan(10);
      expect(Number(row[column('later_than_1h_share')])).toBeLessThan(0.1);
    }
  });
});

async function totalLateEvents(dataDir: string): Promise<number> {
  const store = new FileSummaryStore(dataDir);
  let total = 0;
  for (const advertiserId of await store.advertisers()) {
    const { summaries } = await store.query({
      advertiserId,
      range: { from: END - 48 * HOUR, to: END + HOUR },
      limit: 10_000,
    });
    for (const s of summaries) total += s.lateEvents;
  }
  return total;
}
