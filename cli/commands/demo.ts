import type { Command } from 'commander';
import { loadSavedQueries } from '../../analytics/catalog';
import { formatResult } from '../../analytics/format';
import { runLocally } from '../../analytics/local-runner';
import { findSavedQuery } from '../../analytics/lookup';
import { parseParameterValues } from '../../analytics/parameters';
import { toSummaryJson } from '../../lambdas/aggregator/summary';
import { deleteEventIndices } from '../../local/event-index/opensearch-node';
import { dataDirLayout, resetDataDir } from '../../local/pipeline/data-dir';
import { DEFAULT_PORT, startInProcess } from '../../local/pipeline/pipeline-connection';
import { replayFile } from '../../local/pipeline/replay';
import { FileSummaryStore } from '../../local/summary-store/file-summary-store';
import { DEFAULT_ADVERTISERS } from '../../local/traffic/generate-traffic';
import { writeTrafficFile } from '../../local/traffic/traffic-file';
import { formatCount } from '../format-count';
import { type SummaryColumn, summaryTable } from '../summary-table';
import type { RegisterCommand } from './index';
import { endProgress, formatReplayReport, progressPrinter } from './replay';
import { number, type PipelineFlags, pipelineOptionsFrom, withPipelineOptions } from './serve';

interface DemoFlags extends PipelineFlags {
  events: string;
  seed: string;
}

const DEFAULT_EVENTS = 50_000;
const HOUR_MS = 3_600_000;
/** The columns that fit a terminal next to each other; `clickstream summaries` prints them all. */
const DEMO_SUMMARY_COLUMNS: SummaryColumn[] = [
  'window_start',
  'impressions',
  'clicks',
  'conversions',
  'unique_users',
  'ctr',
  'revenue',
  'late_events',
  'final',
];

export const registerDemoCommand: RegisterCommand = (program: Command) => {
  withPipelineOptions(
    program
      .command('demo')
      .description(
        'The whole product in a minute: generate a realistic day of traffic, replay it through the local pipeline, ' +
          'and show summaries, failed events and saved queries. Starts from an empty data dir each time ' +
          '(with --opensearch-url, it also deletes the events-* and incoming-* indices on that node).',
      )
      .option('--events <count>', 'roughly how many events the day holds', String(DEFAULT_EVENTS))
      .option('--seed <number>', 'seed of the traffic generator (same seed, same traffic)', '7'),
  ).action(async (flags: DemoFlags, command: Command) => {
    const options = pipelineOptionsFrom(flags);
    // The replay computes every touched window once at the end; scheduled runs during it would only
    // compete with delivery for the event index, so they are off unless asked for.
    if (command.getOptionValueSource('summaryInterval') === 'default') options.summaryIntervalSeconds = 0;
    const events = number('--events', flags.events, 1, 5_000_000);
    const seed = number('--seed', flags.seed, 0, 2 ** 32 - 1);
    const layout = dataDirLayout(flags.dataDir);
    const now = Date.now();
    const step = stepPrinter();

    step(`1/4 Starting from an empty data dir: ${flags.dataDir}/`);
    const removed = await resetDataDir(flags.dataDir);
    if (removed.length > 0) console.log(`    removed the previous run's ${removed.join(', ')}`);
    if (options.openSearchUrl !== undefined) {
      // The event index lives on the node, not in the data dir: empty it too, or the previous
      // run's events would count as duplicates and its summaries' windows would mix with these.
      const indices = await deleteEventIndices(options.openSearchUrl);
      if (indices.length > 0)
        console.log(
          `    deleted ${indices.length} indices on ${options.openSearchUrl}: ${indices.join(', ')}`,
        );
    }

    step('2/4 Generating a day of traffic');
    const tally = await writeTrafficFile(layout.demoTraffic, { events, end: now, seed });
    console.log(
      `    ${layout.demoTraffic}: ${formatCount(tally.lines)} lines, ${formatCount(tally.events)} events of ${formatCount(DEFAULT_ADVERTISERS)} advertisers over the last 24 h, ` +
        `${formatCount(tally.duplicates)} sent twice, ${formatCount(tally.late)} held back and sent late, ${formatCount(tally.malformed)} malformed`,
    );

    step(
      '3/4 Replaying it through the tracker SDK, the Firehose endpoint, the transform, the lake and the event index',
    );
    const connection = await startInProcess(options);
    let report: Awaited<ReturnType<typeof replayFile>>;
    try {
      report = await replayFile({
        file: layout.demoTraffic,
        connection,
        onProgress: progressPrinter(),
        progressEvery: 10_000,
      });
    } finally {
      await connection.close();
    }
    endProgress();
    process.stdout.write(formatReplayReport(report));

    step('4/4 Results');
    await showSummaries(flags.dataDir, now);
    const today = new Date(now).toISOString().slice(0, 10);
    const yesterday = new Date(now - 24 * HOUR_MS).toISOString().slice(0, 10);
    await showQuery(flags.dataDir, 'Failed events in the lake (errors/)', 'failed_events_by_day', [
      yesterday,
      today,
    ]);
    await showQuery(flags.dataDir, 'CTR by campaign (saved query)', 'ctr_by_campaign', [yesterday, today], 8);
    await showQuery(flags.dataDir, 'Sessions, 30-minute gap (saved query)', 'sessions', [
      yesterday,
      today,
      '30',
    ]);
    whereToLookNext(flags.dataDir, connection.streamName, yesterday, today);
    step('Done');
  });
};

async function showSummaries(dataDir: string, now: number): Promise<void> {
  const store = new FileSummaryStore(dataDir);
  const [advertiser] = await store.advertisers();
  if (advertiser === undefined) return;
  const { summaries } = await store.query({
    advertiserId: advertiser,
    range: { from: now - 2 * HOUR_MS, to: now + HOUR_MS },
    limit: 100,
  });
  const recent = summaries.slice(-6).map(toSummaryJson);
  console.log(`\n15-minute summaries of ${advertiser}, most recent windows (open ones are provisional):`);
  process.stdout.write(formatResult(summaryTable(recent, DEMO_SUMMARY_COLUMNS), 'table'));
  console.log(
    'late_events: events that arrived during the window after their own window was final; the replayed day arrives all at once.',
  );
}

async function showQuery(dataDir: string, title: string, name: string, values: string[], maxRows?: number) {
  const query = findSavedQuery(loadSavedQueries(), name);
  const result = await runLocally(query, parseParameterValues(query, values), { dataDir });
  const shown = maxRows === undefined ? result : { ...result, rows: result.rows.slice(0, maxRows) };
  const more = result.rows.length - shown.rows.length;
  console.log(`\n${title}: clickstream query run ${name} ${values.join(' ')}`);
  process.stdout.write(formatResult(shown, 'table'));
  if (more > 0) console.log(`(${formatCount(more)} more rows)`);
}

function whereToLookNext(dataDir: string, streamName: string, yesterday: string, today: string): void {
  console.log(`
Where to look next
  lake (what Firehose writes to S3)  ${dataDir}/lake/events/dt=${today}/  and  ${dataDir}/lake/errors/processing-failed/
  summaries                          clickstream summaries --data-dir ${dataDir} --advertiser adv-001
  saved queries                      clickstream query list
                                     clickstream query run funnel ${yesterday} ${today} 1 --data-dir ${dataDir}
  your own events                    clickstream serve --data-dir ${dataDir}
                                     (it prints how to send to http://127.0.0.1:${DEFAULT_PORT}, stream ${streamName}, with the SDK or the AWS CLI)
  replay a file                      clickstream replay ${dataDir}/demo-traffic.ndjson --data-dir ${dataDir}
  how it works                       docs/local-pipeline.md`);
}

/** Prints step headings with the time since the demo started (long steps show their own progress). */
function stepPrinter(): (text: string) => void {
  const started = performance.now();
  return (text) => console.log(`\n== ${text}  [${((performance.now() - started) / 1000).toFixed(1)} s]`);
}
