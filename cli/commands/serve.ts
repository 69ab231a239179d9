import type { Command } from 'commander';
import { everyInterval } from '../../local/curated/compaction-schedule';
import { isLocalStreamName } from '../../local/pipeline/data-dir';
import type { DeliveryReport } from '../../local/pipeline/delivery';
import { type Backlog, DEFAULT_BUFFERING } from '../../local/pipeline/local-delivery-stream';
import {
  type CloseReport,
  DEFAULT_DRAIN_TIMEOUT_SECONDS,
  DEFAULT_LATENESS_HORIZON_MINUTES,
  DEFAULT_STREAM_NAME,
  DEFAULT_SUMMARY_INTERVAL_SECONDS,
  type LocalPipeline,
  type LocalPipelineOptions,
  startLocalPipeline,
} from '../../local/pipeline/local-pipeline';
import { DEFAULT_PORT } from '../../local/pipeline/pipeline-connection';
import { UsageError } from '../errors';
import { formatCount } from '../format-count';
import { dataDirOption, openSearchUrlFrom, openSearchUrlOption } from '../options';
import { compactAfterDelivery } from './compact';
import type { RegisterCommand } from './index';

/** The options every command that runs the pipeline takes, as commander parses them. */
export interface PipelineFlags {
  dataDir: string;
  stream: string;
  bufferSize: string;
  bufferInterval: string;
  summaryInterval: string;
  latenessHorizon: string;
  opensearchUrl?: string;
}

/** Adds the pipeline's options (data dir, stream, buffering, summary schedule, event index) to a command. */
export function withPipelineOptions(command: Command): Command {
  return command
    .addOption(dataDirOption())
    .option('--stream <name>', 'delivery stream name', DEFAULT_STREAM_NAME)
    .option(
      '--buffer-size <MiB>',
      'deliver when this much data is buffered',
      String(DEFAULT_BUFFERING.sizeBytes / 2 ** 20),
    )
    .option(
      '--buffer-interval <seconds>',
      'deliver at most this long after a record arrives',
      String(DEFAULT_BUFFERING.intervalMs / 1000),
    )
    .option(
      '--summary-interval <seconds>',
      'seconds between summary runs; serve also summarises each delivery as it lands (0: only on demand)',
      String(DEFAULT_SUMMARY_INTERVAL_SECONDS),
    )
    .option(
      '--lateness-horizon <minutes>',
      'how long windows stay open to late events',
      String(DEFAULT_LATENESS_HORIZON_MINUTES),
    )
    .addOption(openSearchUrlOption());
}

/** Turns the parsed flags into pipeline options, refusing values that make no sense. */
export function pipelineOptionsFrom(flags: PipelineFlags): LocalPipelineOptions {
  return {
    dataDir: flags.dataDir,
    streamName: streamName(flags.stream),
    buffering: {
      sizeBytes: Math.round(number('--buffer-size', flags.bufferSize, 0.001, 128) * 2 ** 20),
      intervalMs: Math.round(number('--buffer-interval', flags.bufferInterval, 0, 900) * 1000),
    },
    summaryIntervalSeconds: number('--summary-interval', flags.summaryInterval, 0, 86_400),
    latenessHorizonMinutes: number('--lateness-horizon', flags.latenessHorizon, 0, 10_080),
    ...(flags.opensearchUrl === undefined ? {} : { openSearchUrl: openSearchUrlFrom(flags.opensearchUrl) }),
    onProblem: (message) => console.error(`clickstream: ${message}`),
  };
}

/** The --stream value, checked here too so that a bad one is a usage error (exit 2). */
function streamName(raw: string): string {
  if (!isLocalStreamName(raw)) {
    throw new UsageError(
      `--stream must be a delivery stream name: 1 to 64 letters, digits, '_', '.' or '-', not only dots (got ${JSON.stringify(raw)})`,
    );
  }
  return raw;
}

/** A number within bounds, or a UsageError naming the option. */
export function number(option: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`${option} must be a number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/**
 * The watermark moves by whole arrival hours; runs between two hour boundaries fold in objects
 * written late into past hours, and keep the raw part events_exact reads small.
 */
export const DEFAULT_COMPACTION_INTERVAL_MINUTES = 15;

interface ServeFlags extends PipelineFlags {
  port: string;
  host: string;
  drainTimeout: string;
  compactionInterval: string;
}

/** What a process killed by a signal exits with (128 + the signal's number), as shells report it. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

export const registerServeCommand: RegisterCommand = (program: Command) => {
  withPipelineOptions(
    program
      .command('serve')
      .description(
        'Run the local pipeline: a Firehose-compatible endpoint (PutRecord, PutRecordBatch, DescribeDeliveryStream, ' +
          'ListDeliveryStreams) that delivers through the transform to the lake and the event index, and the summary workers; ' +
          'the same port serves the dashboard, the summary API and live updates (/live).',
      )
      .option('--port <port>', 'port to listen on', String(DEFAULT_PORT))
      .option(
        '--host <address>',
        'address to listen on (the endpoint checks no credentials: keep it on loopback)',
        '127.0.0.1',
      )
      .option(
        '--drain-timeout <seconds>',
        'on Ctrl-C or SIGTERM, how long to keep delivering what was accepted; the rest stays in the spool for the next start',
        String(DEFAULT_DRAIN_TIMEOUT_SECONDS),
      )
      .option(
        '--compaction-interval <minutes>',
        'minutes between compaction runs of the lake into its curated, deduplicated Parquet table (0: only `clickstream compact`)',
        String(DEFAULT_COMPACTION_INTERVAL_MINUTES),
      ),
  ).action(async (flags: ServeFlags) => {
    if (!isLoopback(flags.host)) {
      console.error(
        `warning: --host ${flags.host} is not a loopback address; the endpoint checks no credentials, so anyone who can reach it can write events`,
      );
    }
    const options = pipelineOptionsFrom(flags);
    const drainTimeoutSeconds = number('--drain-timeout', flags.drainTimeout, 0, 3_600);
    const compactionMinutes = number('--compaction-interval', flags.compactionInterval, 0, 24 * 60);
    const pipeline = await startLocalPipeline({
      ...options,
      drainTimeoutSeconds,
      host: flags.host,
      port: number('--port', flags.port, 0, 65_535),
      // With a schedule, each delivery's windows are summarised at once too (docs/live.md#freshness).
      summariseDeliveries: (options.summaryIntervalSeconds ?? DEFAULT_SUMMARY_INTERVAL_SECONDS) > 0,
      onDelivered: (report) => console.log(describeDelivery(report)),
    });
    // Before the URL is printed: whoever reads it may signal at once.
    const stopped = stopOnSignals(pipeline, drainTimeoutSeconds);
    const compaction =
      compactionMinutes === 0
        ? undefined
        : everyInterval(compactionMinutes * 60_000, () =>
            compactAfterDelivery(flags.dataDir, (line) => console.log(line)),
          );
    console.log(
      `Firehose endpoint on ${pipeline.endpointUrl}, delivery stream ${pipeline.streamName}, data in ${flags.dataDir}/, ` +
        `event index ${options.openSearchUrl === undefined ? 'DuckDB' : `OpenSearch at ${options.openSearchUrl}`}`,
    );
    for (const line of startupHints(pipeline, Date.now())) console.log(line);
    console.log(dashboardLine(pipeline.dashboardUrl));
    console.log(
      `Ctrl-C (or SIGTERM) stops accepting, delivers what was accepted (for at most ${drainTimeoutSeconds} s) and stops; a second one stops at once.`,
    );
    const closed = await stopped;
    await compaction?.stop();
    console.error(describeClose(closed));
  });
};

/**
 * How to send an event to the endpoint with the SDK and with the AWS CLI, each working as printed
 * on a machine with no AWS configuration (dummy credentials and the region are part of the line).
 * The AWS CLI v2 reads blobs as base64 unless told `--cli-binary-format raw-in-base64-out`, an
 * option v1 does not know, so each version gets its own line.
 */
export function startupHints(
  pipeline: Pick<LocalPipeline, 'endpointUrl' | 'streamName' | 'region'>,
  now: number,
): string[] {
  const event = {
    event_id: `hello-${now}`,
    event_type: 'pageview',
    advertiser_id: 'adv-hello',
    event_time: new Date(now).toISOString(),
  };
  const record = JSON.stringify({ Data: `${JSON.stringify(event)}\n` });
  const cli = (binaryFormat: string) =>
    `AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws firehose put-record --endpoint-url ${shellWord(pipeline.endpointUrl)} ` +
    `--region ${pipeline.region} --delivery-stream-name ${shellWord(pipeline.streamName)}${binaryFormat} --record '${record}'`;
  return [
    `  SDK:        new FirehoseClient({ endpoint: '${pipeline.endpointUrl}', region: '${pipeline.region}', ` +
      `credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })`,
    `  AWS CLI v2: ${cli(' --cli-binary-format raw-in-base64-out')}`,
    `  AWS CLI v1: ${cli('')}`,
  ];
}

/** Where the dashboard is, with the summary API and `/live` beside it (docs/live.md). */
export function dashboardLine(url: string): string {
  return `Dashboard on ${url} (summary API ${url}advertisers/<id>/summaries, live updates ${url.replace(/^http/, 'ws')}live; docs/live.md)`;
}

/** A word the shell takes as it is: quoted when it holds anything but safe characters (e.g. `[::1]`). */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word}'`;
}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return (
    host === 'localhost' ||
    host === '::1' ||
    host === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

function describeDelivery(report: DeliveryReport): string {
  const failed = Object.entries(report.failedByReason).map(([reason, count]) => `${reason} ${count}`);
  const deadLettered = Object.values(report.deadLettered).reduce((sum, count) => sum + count, 0);
  return [
    `delivered ${report.ok} to the lake`,
    report.dropped > 0 ? `${report.dropped} dropped (repeated in the batch)` : '',
    report.duplicates > 0 ? `${report.duplicates} already indexed` : '',
    failed.length > 0 ? `${report.failed} failed (${failed.join(', ')})` : '',
    deadLettered > 0
      ? `${deadLettered} of them refused by the event index (lake errors/AmazonOpenSearchService-failed/)`
      : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * The first SIGINT or SIGTERM closes the pipeline (bounded by the drain timeout); a second one
 * exits at once with 130 (SIGINT) or 143 (SIGTERM). Either way what was not delivered stays in
 * the spool, acknowledged and durable, and the next start delivers it.
 */
export function stopOnSignals(pipeline: LocalPipeline, drainTimeoutSeconds: number): Promise<CloseReport> {
  return new Promise((resolve, reject) => {
    let closing = false;
    const onSignal = (signal: StopSignal) => {
      if (!closing) {
        closing = true;
        console.error(
          `\n${signal}: stopped accepting; delivering what was accepted (for at most ${drainTimeoutSeconds} s), ` +
            'then summarising it and stopping. Send it again to stop at once.',
        );
        pipeline.close().then(resolve, reject);
        return;
      }
      console.error(`${signal} again: stopping at once. ${describeBacklog(pipeline.backlog())}`);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    };
    for (const signal of Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]) process.on(signal, onSignal);
  });
}

export function describeClose(closed: CloseReport): string {
  const written = closed.summaries?.windowsWritten ?? 0;
  const summaries =
    written === 0
      ? ''
      : `; the last summary run wrote ${formatCount(written)} window${written === 1 ? '' : 's'}`;
  return `stopped${summaries}. ${describeBacklog(closed.left)}`;
}

function describeBacklog(left: Backlog): string {
  if (left.records === 0) return 'Everything accepted was delivered.';
  return (
    `${formatCount(left.records)} accepted records (${formatCount(left.bytes)} bytes) were not delivered: ` +
    'they stay in the spool and are delivered on the next start.'
  );
}
