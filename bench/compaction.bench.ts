// One compaction run over a day of 1,000,000 events (24 hourly gzip NDJSON objects, 2% of the events
// delivered twice, the repeat an hour later), in a child process of its own so that its peak
// resident memory is the compaction's alone: DuckDB capped at its default memory limit, spilling
// to disk beyond it. A second run over the same lake shows what a run that finds nothing new costs.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoredEvent } from '../contract';
import { type CompactionReport, DEFAULT_MEMORY_LIMIT } from '../local/curated/compaction';
import { writeEventsObject } from '../local/duckdb/lake-writer';
import { SeededRandom } from '../local/traffic/random';
import type { BenchSuite } from './suites';

const EVENTS = 1_000_000;
const DAY = Date.parse('2026-11-01T00:00:00.000Z');
const HOUR = 3_600_000;
const DATA_DIR = join(tmpdir(), 'clickstream-bench-compaction-1m-v1');
const COMPLETE_MARKER = join(DATA_DIR, 'complete');
const CHILD = fileURLToPath(new URL('./compaction-child.ts', import.meta.url));

function generateDay(): void {
  rmSync(DATA_DIR, { recursive: true, force: true });
  const random = new SeededRandom(11);
  const types = ['impression', 'impression', 'impression', 'pageview', 'pageview', 'click', 'conversion'];
  const perHour = EVENTS / 24;
  let repeats: StoredEvent[] = [];
  for (let h = 0; h < 24; h++) {
    const hourStart = DAY + h * HOUR;
    const batch = repeats.map((e) => ({
      ...e,
      received_at: new Date(hourStart + random.next() * HOUR).toISOString(),
    }));
    repeats = [];
    for (let i = 0; i < perHour; i++) {
      const received = hourStart + random.next() * HOUR;
      const advertiser = Math.floor(random.next() * 20);
      const type = random.pick(types);
      const event: StoredEvent = {
        event_id: `ev-${h}-${i}`,
        event_type: type,
        advertiser_id: `adv-${advertiser}`,
        campaign_id: `cmp-${advertiser}-${Math.floor(random.next() * 10)}`,
        user_id: `u-${Math.floor(random.next() * 50_000)}`,
        event_time: new Date(Math.max(DAY, received - random.next() * 10_000)).toISOString(),
        received_at: new Date(received).toISOString(),
        url_path: `/page/${Math.floor(random.next() * 500)}`,
        properties: { plan: random.pick(['free', 'pro', 'team']) },
        ...(type === 'conversion'
          ? { revenue: Math.round(random.next() * 10_000) / 100, currency: 'EUR' }
          : {}),
      };
      batch.push(event);
      if (random.next() < 0.02) repeats.push(event);
    }
    writeEventsObject(join(DATA_DIR, 'lake'), batch, hourStart);
  }
  writeFileSync(COMPLETE_MARKER, `${EVENTS} events\n`);
}

function runChild(): { report: CompactionReport; maxRssKiB: number } {
  const output = execFileSync(process.execPath, ['--import', 'tsx', CHILD, join(DATA_DIR, 'lake')], {
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  return JSON.parse(output.trim().split('\n').at(-1)!) as { report: CompactionReport; maxRssKiB: number };
}

export const compactionBench: BenchSuite = {
  name: 'compaction',
  async run() {
    if (existsSync(COMPLETE_MARKER)) {
      console.log(`reusing the lake in ${DATA_DIR}`);
    } else {
      const started = performance.now();
      generateDay();
      console.log(
        `generated ${EVENTS.toLocaleString('en')} events in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    rmSync(join(DATA_DIR, 'lake', 'curated'), { recursive: true, force: true });
    console.log(
      `memory_limit ${DEFAULT_MEMORY_LIMIT}; run        time (s)   peak RSS (MiB)   objects   rows read   rows merged   duplicates`,
    );
    for (const label of ['first run', 'nothing new']) {
      const { report, maxRssKiB } = runChild();
      console.log(
        `${label.padEnd(31)} ${(report.elapsedMs / 1000).toFixed(1).padStart(9)} ${(maxRssKiB / 1024).toFixed(0).padStart(16)} ` +
          `${String(report.filesRead + report.filesReread).padStart(9)} ${report.rowsRead.toLocaleString('en').padStart(11)} ` +
          `${report.rowsMerged.toLocaleString('en').padStart(13)} ${report.duplicatesDropped.toLocaleString('en').padStart(12)}`,
      );
    }
  },
};
