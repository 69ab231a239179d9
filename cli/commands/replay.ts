import { stat } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { LocalPipelineOptions } from '../../local/pipeline/local-pipeline';
import { connectOrStart } from '../../local/pipeline/pipeline-connection';
import {
  type ReplayProgress,
  type ReplayReport,
  replayFile,
  replayTimedFile,
} from '../../local/pipeline/replay';
import { isTimedTrafficFile } from '../../local/traffic/traffic-file';
import { UsageError } from '../errors';
import { formatCount } from '../format-count';
import { compactUnlessServed } from './compact';
import type { RegisterCommand } from './index';
import { type PipelineFlags, pipelineOptionsFrom, withPipelineOptions } from './serve';

interface ReplayFlags extends PipelineFlags, ReplayModeFlags {
  endpointUrl?: string;
  format: 'text' | 'json';
}

/** The flags that choose how a file is replayed (replay and demo). */
export interface ReplayModeFlags {
  asNow: boolean;
  fillEventId: boolean;
  restampSentAt: boolean;
}

/** Firehose's default buffering interval, and the summary workers' schedule on AWS (lib/config.ts). */
export const TIMED_BUFFER_INTERVAL_SECONDS = 300;
export const TIMED_SUMMARY_INTERVAL_SECONDS = 900;

export const registerReplayCommand: RegisterCommand = (program: Command) => {
  withReplayModeOptions(
    withPipelineOptions(
      program
        .command('replay')
        .description(
          'Send a traffic file (NDJSON records, each optionally preceded by its arrival time: docs/traffic-format.md) ' +
            'to the local pipeline, each record as recorded. A file with arrival times is replayed at those times on a ' +
            'simulated clock, in a pipeline started in this process; any other file (or with --as-now) is sent now to ' +
            'the endpoint (started in this process when none runs on the default port). Waits for delivery, computes the ' +
            'summaries of the windows touched, and reports.',
        )
        .argument(
          '<file>',
          'traffic file: one record per line, optionally preceded by its arrival time and a tab',
        )
        .option(
          '--endpoint-url <url>',
          'send to this running endpoint (clickstream serve) instead (with --as-now)',
        )
        .addOption(
          new Option('--format <format>', 'report format').choices(['text', 'json']).default('text'),
        ),
    ),
  ).action(async (file: string, flags: ReplayFlags, command: Command) => {
    const isFile = await stat(file).then(
      (found) => found.isFile(),
      () => false,
    );
    if (!isFile) throw new UsageError(`cannot read ${file}: not a file`);
    const timed = !flags.asNow && (await isTimedTrafficFile(file));
    if (timed && flags.endpointUrl !== undefined) {
      throw new UsageError(
        `${file} carries arrival times: a timed replay runs the pipeline in this process on its own clock, and a running ` +
          'endpoint stamps arrivals with the wall clock. Add --as-now to send it to --endpoint-url as arriving now.',
      );
    }
    const report = timed
      ? await replayTimedFromCli(file, flags, command)
      : await replayAsNowFromCli(file, flags);
    endProgress();
    process.stdout.write(
      flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReplayReport(report),
    );
    await compactUnlessServed(flags.dataDir, (line) => console.error(line));
  });
};

/** Adds --as-now, --fill-event-id and --restamp-sent-at. */
export function withReplayModeOptions(command: Command): Command {
  return command
    .option(
      '--as-now',
      'ignore recorded arrival times: every record arrives when it is sent (the transform then measures event age from now)',
      false,
    )
    .option('--fill-event-id', 'give records without an event_id one, as the tracker SDK does', false)
    .option(
      '--restamp-sent-at',
      "set each record's sent_at to the time it is sent, as the tracker SDK does",
      false,
    );
}

/**
 * A timed replay's pipeline options: unless set on the command line, buffers and summary runs
 * follow AWS's cadence (a day of 5-second buffers and runs would be thousands of each).
 */
export function timedPipelineOptions(flags: PipelineFlags, command: Command): LocalPipelineOptions {
  const options = pipelineOptionsFrom(flags);
  if (command.getOptionValueSource('bufferInterval') === 'default')
    options.buffering = {
      sizeBytes: options.buffering?.sizeBytes ?? 2 ** 20,
      intervalMs: TIMED_BUFFER_INTERVAL_SECONDS * 1000,
    };
  if (command.getOptionValueSource('summaryInterval') === 'default')
    options.summaryIntervalSeconds = TIMED_SUMMARY_INTERVAL_SECONDS;
  return options;
}

async function replayTimedFromCli(file: string, flags: ReplayFlags, command: Command): Promise<ReplayReport> {
  const pipeline = timedPipelineOptions(flags, command);
  console.error(
    `replaying ${file} at its recorded arrival times, on a simulated clock, through a pipeline started here on ${flags.dataDir}/`,
  );
  return replayTimedFile({
    file,
    pipeline,
    fillEventId: flags.fillEventId,
    restampSentAt: flags.restampSentAt,
    onProgress: progressPrinter(),
  });
}

async function replayAsNowFromCli(file: string, flags: ReplayFlags): Promise<ReplayReport> {
  const connection = await connectOrStart({
    ...pipelineOptionsFrom(flags),
    endpointUrl: flags.endpointUrl,
  });
  console.error(
    connection.inProcess
      ? `replaying ${file} (arriving now) through a pipeline started here on ${flags.dataDir}/`
      : `replaying ${file} (arriving now) to the endpoint at ${connection.endpointUrl}`,
  );
  if (!connection.inProcess && flags.opensearchUrl !== undefined) {
    console.error(
      'warning: --opensearch-url is ignored: the running endpoint indexes where it was started to',
    );
  }
  try {
    return await replayFile({
      file,
      connection,
      fillEventId: flags.fillEventId,
      restampSentAt: flags.restampSentAt,
      onProgress: progressPrinter(),
    });
  } finally {
    await connection.close();
  }
}

/** Progress on stderr: one updating line on a terminal, a line per step otherwise. */
export function progressPrinter(): (progress: ReplayProgress) => void {
  const tty = process.stderr.isTTY === true;
  let lastLine = '';
  return (progress) => {
    const text =
      progress.phase === 'sending'
        ? `sent ${formatCount(progress.lines)} lines (${percentOf(progress.bytesRead, progress.totalBytes)}%)` +
          (progress.clock === undefined ? '' : `, arrivals up to ${new Date(progress.clock).toISOString()}`)
        : progress.pending > 0
          ? `delivering: ${formatCount(progress.pending)} records to the lake and the index`
          : 'delivered; computing the summaries of the windows touched';
    if (text === lastLine) return;
    lastLine = text;
    if (tty) process.stderr.write(`\r\x1b[2K${text}`);
    else console.error(text);
  };
}

/** Ends a terminal progress line before the report is printed. */
export function endProgress(): void {
  if (process.stderr.isTTY === true) process.stderr.write('\n');
}

function percentOf(part: number, whole: number): number {
  return whole === 0 ? 100 : Math.floor((part / whole) * 100);
}

/**
 * The replay's short report: what happened to every line of the file, then what the pipeline did,
 * labelled as the replay's own only when no other records went through the endpoint meanwhile.
 */
export function formatReplayReport(report: ReplayReport): string {
  const { pipeline } = report;
  const rate = report.elapsedMs > 0 ? Math.round(report.lines / (report.elapsedMs / 1000)) : 0;
  const own = report.otherRecords === 0;
  const lines = [
    `Replayed ${formatCount(report.lines)} lines in ${(report.elapsedMs / 1000).toFixed(1)} s (${formatCount(rate)} lines/s), ${modeText(report)}`,
    row('records sent', report.sent),
    row('acknowledged', report.acknowledged),
    row('not sent', sum(report.notSent)),
    ...reasons('over the Firehose record limit', report.notSent),
    row('sent, not acknowledged', sum(report.undelivered)),
    ...reasons('not acknowledged after retries', report.undelivered),
    ...rewrites(report),
    own
      ? 'What the pipeline did with them (no other records went through it meanwhile):'
      : `The endpoint meanwhile, all clients together (${formatCount(report.otherRecords)} records were not this replay's: ` +
        'other clients sent them, or they were waiting when it began):',
    row('accepted', pipeline.accepted),
    row('delivered to the lake', pipeline.delivered),
    row('duplicates dropped', pipeline.dropped + pipeline.duplicates),
    `      ${formatCount(pipeline.dropped)} repeated in one batch (Dropped by the transform), ${formatCount(pipeline.duplicates)} already in the event index (kept in the lake, counted once)`,
    row('failed', pipeline.failed),
    ...reasons(
      'refused by the transform or the event index (lake errors/processing-failed/, errors/AmazonOpenSearchService-failed/)',
      pipeline.failedByReason,
    ),
    ...reasons(
      'of which refused by the event index (errors/AmazonOpenSearchService-failed/)',
      pipeline.deadLettered,
    ),
    row('windows updated', report.summaries.windowsWritten),
    `      15-minute windows of ${formatCount(report.summaries.advertisers)} advertisers`,
  ];
  if (pipeline.pending > 0)
    lines.push(`  ${formatCount(pipeline.pending)} records still waiting for delivery (see stderr)`);
  return `${lines.join('\n')}\n`;

  function row(label: string, value: number): string {
    return `  ${label.padEnd(30)}${formatCount(value).padStart(10)}`;
  }
}

function modeText(report: ReplayReport): string {
  const { arrivals } = report;
  if (arrivals === undefined) return 'each arriving as it was sent (--as-now)';
  const moved = arrivals.untimed + arrivals.outOfOrder;
  return (
    `at the recorded arrival times, ${new Date(arrivals.first).toISOString()} to ${new Date(arrivals.last).toISOString()}` +
    (moved === 0
      ? ''
      : ` (${formatCount(arrivals.untimed)} lines without an arrival time and ${formatCount(arrivals.outOfOrder)} out of order arrived with the line before)`)
  );
}

function rewrites(report: ReplayReport): string[] {
  const { eventIdFilled, sentAtRestamped } = report.rewritten;
  if (eventIdFilled + sentAtRestamped === 0) return [];
  return [
    `      rewritten before sending: event_id filled in ${formatCount(eventIdFilled)}, sent_at re-stamped in ${formatCount(sentAtRestamped)}`,
  ];
}

function reasons(title: string, counts: Record<string, number>): string[] {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return [];
  return [`      ${title}: ${entries.map(([reason, count]) => `${reason} ${count}`).join(', ')}`];
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
