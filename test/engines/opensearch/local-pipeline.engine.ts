import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PipelineFlags, pipelineOptionsFrom, withPipelineOptions } from '../../../cli/commands/serve';
import type { WindowSummary } from '../../../lambdas/aggregator/summary';
import { windowStartOf } from '../../../lambdas/aggregator/windows';
import { LocalDatabase } from '../../../local/duckdb/database';
import { EVENT_INDEX_TABLE } from '../../../local/event-index/duckdb-event-index';
import { dataDirLayout } from '../../../local/pipeline/data-dir';
import type { PipelineStats } from '../../../local/pipeline/local-pipeline';
import { startInProcess } from '../../../local/pipeline/pipeline-connection';
import { type ReplayReport, replayFile } from '../../../local/pipeline/replay';
import { FileSummaryStore } from '../../../local/summary-store/file-summary-store';
import { writeTrafficFile } from '../../../local/traffic/traffic-file';
import { engineUrl } from '../engine-url';
import { nodeHttp, resetNode } from './support/node';

// The local pipeline run twice over the same generated traffic: with its embedded DuckDB event
// index and with `--opensearch-url` on the engine's node (Firehose's bulk format into incoming-*,
// the setup custom resource's pipeline and templates, the Lambdas' search adapter).
const url = engineUrl('opensearch');
const http = nodeHttp(url);

// Both runs see the same clock, from one minute into a window: arrivals, late arrivals and
// finality then fall in the same windows in both (a run takes seconds, not the 14 minutes left).
const T0 = windowStartOf(Date.now()) + 60_000;

let root: string;
let halves: [string, string];
let resent: string;

interface Run {
  /** The two halves' reports summed. */
  main: PipelineStats;
  /** Sending the first lines again. */
  again: PipelineStats;
  summaries: WindowSummary[];
  summariesAfterAgain: WindowSummary[];
  warnings: string[];
  indexedEvents: number;
  eventsPerSecond: number;
}

let duckdb: Run;
let opensearch: Run;

beforeAll(async () => {
  await resetNode(http);
  root = await mkdtemp(join(tmpdir(), 'local-pipeline-opensearch-'));
  const traffic = join(root, 'traffic.ndjson');
  await writeTrafficFile(traffic, { events: 3_000, end: T0, seed: 11 });
  // Two replays through one pipeline: each is one buffer (flushed at its end) and one processor
  // invocation, so which repeats the transform drops (same batch) and which reach the index
  // (the first half held the event_id) is the same on every run.
  const lines = (await readFile(traffic, 'utf8')).split('\n').filter(Boolean);
  const middle = Math.floor(lines.length / 2);
  halves = [join(root, 'first.ndjson'), join(root, 'second.ndjson')];
  await writeFile(halves[0], `${lines.slice(0, middle).join('\n')}\n`);
  // Events the tracker takes but the transform refuses (older than its event-age limit), so the
  // failed counts are exercised too.
  const tooOld = [1, 2, 3].map((i) =>
    JSON.stringify({
      event_id: `too-old-${i}`,
      event_type: 'click',
      advertiser_id: 'adv-001',
      event_time: new Date(T0 - 400 * 86_400_000).toISOString(),
    }),
  );
  await writeFile(halves[1], `${[...lines.slice(middle), ...tooOld].join('\n')}\n`);
  resent = join(root, 'resent.ndjson');
  await writeFile(resent, `${lines.slice(0, 200).join('\n')}\n`);

  duckdb = await run('duckdb', []);
  opensearch = await run('opensearch', ['--opensearch-url', url]);
  console.info(
    `local pipeline replay of ${lines.length} lines: DuckDB ${duckdb.eventsPerSecond} events/s, OpenSearch ${opensearch.eventsPerSecond} events/s (end to end, informational)`,
  );
});

afterAll(async () => {
  await resetNode(http);
  await rm(root, { recursive: true, force: true });
});

async function run(name: string, eventIndexArgs: string[]): Promise<Run> {
  const dataDir = join(root, name);
  const flags = withPipelineOptions(new Command('replay').exitOverride())
    .parse(
      [
        '--data-dir',
        dataDir,
        '--summary-interval',
        '0',
        '--buffer-size',
        '128',
        '--buffer-interval',
        '900',
        ...eventIndexArgs,
      ],
      { from: 'user' },
    )
    .opts<PipelineFlags>();
  const warnings: string[] = [];
  const started = Date.now();
  const connection = await startInProcess({
    ...pipelineOptionsFrom(flags),
    clock: () => T0 + (Date.now() - started),
    onProblem: (message) => warnings.push(message),
  });
  const store = new FileSummaryStore(dataDir);
  let reports: ReplayReport[];
  let summaries: WindowSummary[];
  let again: ReplayReport;
  try {
    reports = [];
    for (const file of halves) reports.push(await replayFile({ file, connection }));
    summaries = await allSummaries(store);
    again = await replayFile({ file: resent, connection });
  } finally {
    await connection.close();
  }
  const elapsedMs = reports.reduce((sum, r) => sum + r.elapsedMs, 0);
  const main = sumStats(reports.map((r) => r.pipeline));
  return {
    main,
    again: again.pipeline,
    summaries,
    summariesAfterAgain: await allSummaries(store),
    warnings,
    indexedEvents: await countIndexed(name, dataDir),
    eventsPerSecond: Math.round(main.delivered / (elapsedMs / 1000)),
  };
}

async function allSummaries(store: FileSummaryStore): Promise<WindowSummary[]> {
  const summaries: WindowSummary[] = [];
  for (const advertiserId of await store.advertisers()) {
    let after: number | undefined;
    do {
      const page = await store.query({
        advertiserId,
        range: { from: 0, to: T0 + 86_400_000 },
        limit: 1000,
        ...(after === undefined ? {} : { after }),
      });
      summaries.push(...page.summaries);
      after = page.after;
    } while (after !== undefined);
  }
  return summaries;
}

async function countIndexed(name: string, dataDir: string): Promise<number> {
  if (name === 'opensearch') {
    const response = await http({ method: 'GET', path: '/events-*/_count' });
    return (response.body as { count: number }).count;
  }
  const db = await LocalDatabase.open(dataDirLayout(dataDir).eventIndex);
  try {
    const [row] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${EVENT_INDEX_TABLE}`);
    return Number(row?.n);
  } finally {
    db.close();
  }
}

function sumStats(stats: PipelineStats[]): PipelineStats {
  const byReason = (key: 'failedByReason' | 'deadLettered') => {
    const counts: Record<string, number> = {};
    for (const s of stats) {
      for (const [reason, count] of Object.entries(s[key])) counts[reason] = (counts[reason] ?? 0) + count;
    }
    return counts;
  };
  const total = (
    key: 'accepted' | 'delivered' | 'dropped' | 'failed' | 'duplicates' | 'unreadableSpoolLines',
  ) => stats.reduce((sum, s) => sum + s[key], 0);
  return {
    accepted: total('accepted'),
    delivered: total('delivered'),
    dropped: total('dropped'),
    failed: total('failed'),
    failedByReason: byReason('failedByReason'),
    duplicates: total('duplicates'),
    deadLettered: byReason('deadLettered'),
    unreadableSpoolLines: total('unreadableSpoolLines'),
    pending: stats.at(-1)?.pending ?? 0,
  };
}

/** A summary without its computation time, which differs between any two runs. */
function comparable({ computedAt: _, ...summary }: WindowSummary) {
  return summary;
}

describe('the local pipeline with --opensearch-url, against the same replay with DuckDB', () => {
  it('counts the same deliveries, transform refusals, repeats dropped in a batch and duplicates in the index', () => {
    expect(opensearch.main).toEqual(duckdb.main);
    // The traffic holds each kind, so every count is exercised.
    expect(duckdb.main).toMatchObject({
      delivered: expect.any(Number),
      dropped: expect.toSatisfy((n: number) => n > 0),
      failedByReason: expect.objectContaining({ event_too_old: 3 }),
      duplicates: expect.toSatisfy((n: number) => n > 0),
      pending: 0,
    });
    // Replay sends each line as recorded, so the malformed lines of the traffic reach the
    // transform and fail there too, each under its own reason.
    const byReason = Object.values(duckdb.main.failedByReason).reduce((sum, n) => sum + n, 0);
    expect(duckdb.main.failed).toBe(byReason);
    expect(duckdb.main.failed).toBeGreaterThan(3);
  });

  it('indexes each event_id once, in events-* on the node as in the DuckDB table', () => {
    expect(opensearch.indexedEvents).toBe(duckdb.indexedEvents);
    expect(duckdb.indexedEvents).toBe(duckdb.main.delivered - duckdb.main.duplicates);
  });

  it('computes the same summaries through the Lambdas’ OpenSearch adapter', () => {
    // Unique users are HyperLogLog++ estimates on OpenSearch, expected exact below its precision
    // threshold (10,000 per window, docs/summaries.md); these windows hold far fewer.
    expect(duckdb.summaries.length).toBeGreaterThan(100);
    expect(opensearch.summaries.map(comparable)).toEqual(duckdb.summaries.map(comparable));
  });

  it('counts events delivered again as duplicates, and leaves the summaries as they were', () => {
    expect(opensearch.again).toEqual(duckdb.again);
    expect(duckdb.again.duplicates).toBeGreaterThan(0);
    expect(duckdb.again.duplicates).toBe(duckdb.again.delivered);
    expect(opensearch.summariesAfterAgain.map(comparable)).toEqual(opensearch.summaries.map(comparable));
    expect(duckdb.summariesAfterAgain.map(comparable)).toEqual(duckdb.summaries.map(comparable));
  });

  it('warns once, and only, when the node has no ISM plugin for the retention policy', async () => {
    const plugins = (await http({ method: 'GET', path: '/_cat/plugins', querystring: { format: 'json' } }))
      .body as { component: string }[];
    const hasIsm = plugins.some((p) => p.component === 'opensearch-index-management');

    expect(duckdb.warnings).toEqual([]);
    expect(opensearch.warnings).toEqual(
      hasIsm ? [] : [expect.stringContaining(`OpenSearch at ${url} has no Index State Management plugin`)],
    );
  });
});
