import type { Command } from 'commander';
import { isLocalStreamName } from '../../local/pipeline/data-dir';
import type { DeliveryReport } from '../../local/pipeline/delivery';
import { DEFAULT_BUFFERING } from '../../local/pipeline/local-delivery-stream';
import {
  DEFAULT_LATENESS_HORIZON_MINUTES,
  DEFAULT_STREAM_NAME,
  DEFAULT_SUMMARY_INTERVAL_SECONDS,
  type LocalPipelineOptions,
  startLocalPipeline,
} from '../../local/pipeline/local-pipeline';
import { DEFAULT_PORT } from '../../local/pipeline/pipeline-connection';
import { UsageError } from '../errors';
import { dataDirOption, openSearchUrlFrom, openSearchUrlOption } from '../options';
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
      'seconds between summary runs (0: only on demand)',
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

interface ServeFlags extends PipelineFlags {
  port: string;
  host: string;
}

export const registerServeCommand: RegisterCommand = (program: Command) => {
  withPipelineOptions(
    program
      .command('serve')
      .description(
        'Run the local pipeline: a Firehose-compatible endpoint (PutRecord, PutRecordBatch, DescribeDeliveryStream, ' +
          'ListDeliveryStreams) that delivers through the transform to the lake and the event index, and the summary workers.',
      )
      .option('--port <port>', 'port to listen on', String(DEFAULT_PORT))
      .option(
        '--host <address>',
        'address to listen on (the endpoint checks no credentials: keep it on loopback)',
        '127.0.0.1',
      ),
  ).action(async (flags: ServeFlags) => {
    if (!isLoopback(flags.host)) {
      console.error(
        `warning: --host ${flags.host} is not a loopback address; the endpoint checks no credentials, so anyone who can reach it can write events`,
      );
    }
    const options = pipelineOptionsFrom(flags);
    const pipeline = await startLocalPipeline({
      ...options,
      host: flags.host,
      port: number('--port', flags.port, 0, 65_535),
      onDelivered: (report) => console.log(describeDelivery(report)),
    });
    const { endpointUrl, streamName, region } = pipeline;
    console.log(
      `Firehose endpoint on ${endpointUrl}, delivery stream ${streamName}, data in ${flags.dataDir}/, ` +
        `event index ${options.openSearchUrl === undefined ? 'DuckDB' : `OpenSearch at ${options.openSearchUrl}`}`,
    );
    console.log(`  SDK:     new FirehoseClient({ endpoint: '${endpointUrl}', region: '${region}' })`);
    console.log(
      `  AWS CLI: aws firehose put-record --endpoint-url ${endpointUrl} --delivery-stream-name ${streamName} --cli-binary-format raw-in-base64-out --record '{"Data":"..."}'`,
    );
    console.log('Ctrl-C delivers what was accepted and stops.');
    await stopOnSignal(pipeline.close);
  });
};

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
  return [
    `delivered ${report.ok} to the lake`,
    report.dropped > 0 ? `${report.dropped} dropped (repeated in the batch)` : '',
    report.duplicates > 0 ? `${report.duplicates} already indexed` : '',
    failed.length > 0 ? `${report.failed} failed (${failed.join(', ')})` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

function stopOnSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = (signal: NodeJS.Signals) => {
      console.error(`\n${signal}: delivering what was accepted, then stopping`);
      close().then(resolve, reject);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
