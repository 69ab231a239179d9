import type { Command } from 'commander';
import { loadSavedQueries } from '../../analytics/catalog';
import { formatResult } from '../../analytics/format';
import { runLocally } from '../../analytics/local-runner';
import { findSavedQuery } from '../../analytics/lookup';
import { parseParameterValues } from '../../analytics/parameters';
import { toSummaryJson } from '../../lambdas/aggregator/summary';
import { deleteEventIndices } from '../../local/event-index/opensearch-node';
import { PortInUseError } from '../../local/firehose-endpoint/server';
import { dataDirLayout, resetDataDir } from '../../local/pipeline/data-dir';
import {
  DEFAULT_DRAIN_TIMEOUT_SECONDS,
  DEFAULT_STREAM_NAME,
  DEFAULT_SUMMARY_INTERVAL_SECONDS,
  type LocalPipelineOptions,
  startLocalPipeline,
} from '../../local/pipeline/local-pipeline';
import { DEFAULT_PORT, startInProcess } from '../../local/pipeline/pipeline-connection';
import { type ReplayReport, replayFile, replayTimedFile } from '../../local/pipeline/replay';
import { FileSummaryStore } from '../../local/summary-store/file-summary-store';
import { DEFAULT_ADVERTISERS } from '../../local/traffic/generate-traffic';
import { writeTrafficFile } from '../../local/traffic/traffic-file';
import { formatCount } from '../format-count';
import { type SummaryColumn, summaryTable } from '../summary-table';
import { compactUnlessServed } from './compact';
import type { RegisterCommand } from './index';
import {
  endProgress,
  formatReplayReport,
  progressPrinter,
  type ReplayModeFlags,
  timedPipelineOptions,
  withReplayModeOptions,
} from './replay';
import {
  dashboardLine,
  describeClose,
  number,
  type PipelineFlags,
  pipelineOptionsFrom,
  stopOnSignals,
  withPipelineOptions,
} from './serve';

interface DemoFlags extends PipelineFlags, ReplayModeFlags {
  events: string;
  seed: string;
  /** Given by --serve / --no-serve; by default, serve when stdout is a terminal. */
  serve?: boolean;
}

const DEFAULT_EVENTS = 50_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The columns that fit a terminal next to each other; `clickstream summaries` prints them all. */
const DEMO_SUMMARY_COLUMNS: SummaryColumn[] = [
  'window_start',
  'impressions',
  'clicks',
  'conversions',
  'unique_users',
  'bot_clicks',
  'ctr',
  'revenue_by_currency',
  'late_events',
  'final',
];

export const registerDemoCommand: RegisterCommand = (program: Command) => {
  withReplayModeOptions(
    withPipelineOptions(
      program
        .command('demo')
        .description(
          'The whole product in a minute: generate a realistic day of traffic, replay it through the local pipeline, ' +
            'and show summaries, failed events and saved queries. Starts from an empty data dir each time ' +
            '(with --opensearch-url, it also deletes the events-* and incoming-* indices on that node).',
        )
        .option('--events <count>', 'roughly how many events the day holds', String(DEFAULT_EVENTS))
        .option('--seed <number>', 'seed of the traffic generator (same seed, same traffic)', '7')
        .option(
          '--serve',
          'afterwards, keep serving the data dir with the dashboard until Ctrl-C (the default when stdout is a terminal)',
        )
        .option('--no-serve', 'afterwards, exit (the default when stdout is not a terminal: CI, scripts)'),
    ),
  ).action(async (flags: DemoFlags, command: Command) => {
    const options = flags.asNow ? pipelineOptionsFrom(flags) : timedPipelineOptions(flags, command);
    // As now, the replay computes every touched window once at the end; scheduled runs during it
    // would only compete with delivery for the event index, so they are off unless asked for.
    if (flags.asNow && command.getOptionValueSource('summaryInterval') === 'default')
      options.summaryIntervalSeconds = 0;
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
    const horizonMinutes = options.latenessHorizonMinutes;
    const tally = await writeTrafficFile(layout.demoTraffic, {
      events,
      end: now,
      seed,
      latenessHorizonMinutes: horizonMinutes,
    });
    console.log(
      `    ${layout.demoTraffic}: ${formatCount(tally.lines)} records with their arrival times, ${formatCount(tally.events)} events of ${formatCount(DEFAULT_ADVERTISERS)} advertisers over the last 24 h\n` +
        `    most arrive seconds after they happen; ${formatCount(tally.late)} more than a minute late (retries, offline devices), ` +
        `of which ${formatCount(tally.afterFinal)} after their window was final (the ${horizonMinutes}-minute lateness horizon); ` +
        `${formatCount(tally.duplicates)} sent twice, ${formatCount(tally.malformed)} malformed`,
    );

    step(
      flags.asNow
        ? '3/4 Replaying it as arriving now (--as-now) through the Firehose endpoint, the transform, the lake and the event index'
        : '3/4 Replaying it at its recorded arrival times on a simulated clock: the delivery stream, the transform, the lake, the event index and the summary runs',
    );
    const report = await replayDemoTraffic(layout.demoTraffic, options, flags, now);
    endProgress();
    process.stdout.write(formatReplayReport(report));
    await compactUnlessServed(flags.dataDir, (line) => console.log(line));

    step('4/4 Results');
    await showSummaries(flags.dataDir, now, flags.asNow);
    const today = new Date(now).toISOString().slice(0, 10);
    const yesterday = new Date(now - 24 * HOUR_MS).toISOString().slice(0, 10);
    await showQuery(flags.dataDir, 'Failed events in the lake (errors/)', 'failed_events_by_day', [
      yesterday,
      today,
    ]);
    await showQuery(
      flags.dataDir,
      'CTR and attributed conversion rate by campaign, 7-day lookback (saved query)',
      'ctr_by_campaign',
      [yesterday, today, '7'],
      8,
    );
    await showQuery(flags.dataDir, 'Sessions, 30-minute gap (saved query)', 'sessions', [
      yesterday,
      today,
      '30',
    ]);
    whereToLookNext(flags.dataDir, options.streamName ?? DEFAULT_STREAM_NAME, yesterday, today);
    step('Done');
    if (flags.serve ?? process.stdout.isTTY === true) await serveAfterDemo(flags);
  });
};

/**
 * Serves the demo's data dir as `clickstream serve` does (the endpoint, the dashboard, the summary
 * API, `/live`), on the default port or, when that is taken, a free one, until Ctrl-C or SIGTERM.
 */
async function serveAfterDemo(flags: DemoFlags): Promise<void> {
  const options = pipelineOptionsFrom(flags);
  const serving = {
    ...options,
    summariseDeliveries: (options.summaryIntervalSeconds ?? DEFAULT_SUMMARY_INTERVAL_SECONDS) > 0,
  };
  const pipeline = await startLocalPipeline({ ...serving, port: DEFAULT_PORT }).catch((error: unknown) => {
    if (!(error instanceof PortInUseError)) throw error;
    console.log(`    port ${DEFAULT_PORT} is taken; serving on a free port instead`);
    return startLocalPipeline({ ...serving, port: 0 });
  });
  const stopped = stopOnSignals(pipeline, DEFAULT_DRAIN_TIMEOUT_SECONDS);
  console.log(`
== Serving ${flags.dataDir}/ until Ctrl-C (--no-serve exits instead)
  ${dashboardLine(pipeline.dashboardUrl)}
  Firehose endpoint ${pipeline.endpointUrl}, delivery stream ${pipeline.streamName}: events you send show on the dashboard within seconds`);
  console.error(describeClose(await stopped));
}

/** Timed (the default): the day as it arrived, ending now. As now: every record arriving now. */
async function replayDemoTraffic(
  file: string,
  options: LocalPipelineOptions,
  flags: ReplayModeFlags,
  now: number,
): Promise<ReplayReport> {
  const replay = {
    file,
    fillEventId: flags.fillEventId,
    restampSentAt: flags.restampSentAt,
    onProgress: progressPrinter(),
    progressEvery: 10_000,
  };
  if (!flags.asNow) return replayTimedFile({ ...replay, pipeline: options, until: now });
  const connection = await startInProcess(options);
  try {
    return await replayFile({ ...replay, connection });
  } finally {
    await connection.close();
  }
}

async function showSummaries(dataDir: string, now: number, asNow: boolean): Promise<void> {
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
  const total = await totalLateEvents(store, now);
  console.log(
    `late_events: events that arrived during the window after their own window was final (${formatCount(total)} over all advertisers` +
      (asNow
        ? '; --as-now: the whole day arrived at once, so every event older than the horizon is late).'
        : ').'),
  );
}

/** The late events of every stored window of the demo's day (and the horizon before it). */
async function totalLateEvents(store: FileSummaryStore, now: number): Promise<number> {
  let total = 0;
  for (const advertiserId of await store.advertisers()) {
    let after: number | undefined;
    do {
      const range = { from: now - 2 * DAY_MS, to: now + HOUR_MS };
      const page = await store.query({ advertiserId, range, limit: 1000, after });
      for (const summary of page.summaries) total += summary.lateEvents;
      after = page.after;
    } while (after !== undefined);
  }
  return total;
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
