import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { type Command, Option } from 'commander';
import type { ReadProblem } from '../../analytics/failed/error-objects';
import {
  type FailedEventList,
  type FailedEventQuery,
  listFailedEvents,
} from '../../analytics/failed/failed-events';
import { putRecords } from '../../analytics/failed/firehose-sender';
import { type RedriveReport, redrive } from '../../analytics/failed/redrive';
import { S3ObjectStore } from '../../analytics/failed/s3-object-store';
import { formatResult } from '../../analytics/format';
import type { QueryResult } from '../../analytics/result';
import { DELIVERY_STREAM_NAME_PATTERN, toUtcIso } from '../../contract';
import { isAdvertiserId } from '../../lambdas/aggregator/advertiser-id';
import { ConfigError } from '../../lambdas/shared/env';
import { readTransformConfig, type TransformConfig } from '../../lambdas/transform/config';
import { LakeDirectory } from '../../local/lake/lake-directory';
import type { ObjectStore } from '../../local/lake/object-store';
import { dataDirLayout } from '../../local/pipeline/data-dir';
import { DEFAULT_STREAM_NAME, type PipelineStats, statsSince } from '../../local/pipeline/local-pipeline';
import { connectOrStart, type PipelineConnection } from '../../local/pipeline/pipeline-connection';
import { UsageError } from '../errors';
import { formatCount } from '../format-count';
import { dataDirOption, isoTimeFlag } from '../options';
import { readStackOutputs } from '../stack/stack-outputs';
import type { RegisterCommand } from './index';

/** What `--stack` reads from the stack's outputs: the lake bucket (errors/, redrive/) and the delivery stream. */
const FAILED_OUTPUT_KEYS = { bucket: 'LakeBucketName', deliveryStream: 'DeliveryStreamName' } as const;

interface SourceFlags {
  dataDir: string;
  bucket?: string;
  stack?: string;
  region?: string;
  from?: string;
  to?: string;
  reason?: string;
}

interface ListFlags extends SourceFlags {
  advertiser?: string;
  format: 'table' | 'json' | 'csv';
  samples: string;
}

interface RedriveFlags extends SourceFlags {
  dryRun: boolean;
  format: 'text' | 'json';
  endpointUrl?: string;
  stream?: string;
}

/** Adds the options saying where errors/ is and which records to read. */
function withSourceOptions(command: Command): Command {
  return command
    .addOption(dataDirOption('lake/errors/, and lake/redrive/ for the redrive record'))
    .option('--bucket <name>', "read a deployed stack's lake bucket (your AWS credentials, default chain)")
    .option('--stack <name>', 'read the lake bucket of this deployed clickstream stack (from its outputs)')
    .option('--region <region>', 'AWS region (with --bucket or --stack; default from the AWS configuration)')
    .option('--from <time>', 'records that arrived at or after this ISO-8601 time (default: the earliest)')
    .option('--to <time>', 'records that arrived before this ISO-8601 time (default: now and later)')
    .option('--reason <reason>', 'only records of this reason (as `failed list` shows it)');
}

export const registerFailedCommand: RegisterCommand = (program: Command) => {
  const failed = program
    .command('failed')
    .description(
      'Failed events (errors/ of the lake): why each failed, and sending again those the transform now accepts. ' +
        'Reasons are judged by the transform with its settings from this environment (MAX_EVENT_AGE_DAYS, ' +
        'FUTURE_TOLERANCE_SECONDS): give it those of the pipeline the records went through.',
    );

  withSourceOptions(
    failed
      .command('list')
      .description(
        'Group the failed records by reason and error output type, with samples whose personal fields are hidden. ' +
          'An unreadable object or line is named on stderr and skipped; the exit code is then 1.',
      ),
  )
    .option('--advertiser <id>', 'only records of this advertiser')
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'),
    )
    .option('--samples <n>', 'samples shown per group (0 to 100)', '3')
    .action(async (flags: ListFlags, command: Command) => {
      const source = await openSource(flags, command);
      const query = queryFrom(flags);
      if (flags.advertiser !== undefined) {
        if (!isAdvertiserId(flags.advertiser)) {
          throw new UsageError(`--advertiser ${JSON.stringify(flags.advertiser)} is not an advertiser id`);
        }
        query.advertiserId = flags.advertiser;
      }
      const samples = wholeNumberFlag('--samples', flags.samples, 0, 100);
      const config = transformConfig();
      const progress = objectProgress();
      const list = await listFailedEvents(source.store, query, {
        config,
        samplesPerGroup: samples,
        onProblem: reportProblem,
        onObject: progress.update,
      });
      progress.end();
      console.error(
        `${formatCount(list.total)} failed records in ${source.errorsPlace} (${rangeText(query)}), ` +
          `judged with ${settingsText(config)}`,
      );
      process.stdout.write(formatFailedList(list, flags.format));
      if (list.problems.length > 0) process.exitCode = 1;
    });

  withSourceOptions(
    failed
      .command('redrive')
      .description(
        'Send again, through the Firehose API, the processing-failed records that the transform accepts now (after a ' +
          'settings change or a contract fix): to the local pipeline (a running `clickstream serve`, --endpoint-url, or one ' +
          'started here), or with --stack/--bucket to the deployed stream. Records are sent once: what was sent is ' +
          'recorded under redrive/ beside errors/, and a second redrive sends nothing new.',
      ),
  )
    .option('--dry-run', 'report what would be sent, send and record nothing', false)
    .option('--endpoint-url <url>', 'send to this running local endpoint (clickstream serve)')
    .option(
      '--stream <name>',
      `delivery stream to send to (local default ${DEFAULT_STREAM_NAME}; with --stack, its DeliveryStreamName output)`,
    )
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json']).default('text'))
    .action(async (flags: RedriveFlags, command: Command) => {
      const source = await openSource(flags, command);
      if (source.aws && flags.endpointUrl !== undefined) {
        throw new UsageError(
          '--endpoint-url sends to a local endpoint; with --stack or --bucket records go to the deployed stream',
        );
      }
      if (flags.stream !== undefined && !DELIVERY_STREAM_NAME_PATTERN.test(flags.stream)) {
        throw new UsageError(`--stream ${JSON.stringify(flags.stream)} is not a delivery stream name`);
      }
      const config = transformConfig();
      const query = queryFrom(flags);
      const progress = redriveProgress(flags.dryRun);
      // The target is opened at the first send: a redrive with nothing to send starts no pipeline.
      const opened: { target?: Target; before?: PipelineStats } = {};
      const send = async (records: Buffer[]) => {
        if (opened.target === undefined) {
          opened.target = await openTarget(flags, source);
          opened.before = await opened.target.connection?.stats();
        }
        const { client, streamName } = opened.target;
        const outcome = await putRecords(records, {
          client,
          streamName,
          onRequest: (sent) => progress.sending(sent, records.length),
        });
        return { ...outcome, streamName };
      };
      let report: RedriveReport;
      let pipeline: PipelineStats | undefined;
      try {
        report = await redrive({
          store: source.store,
          query,
          config,
          ...(flags.dryRun ? {} : { send }),
          onProgress: progress.reading,
          onProblem: reportProblem,
        });
        progress.end();
        const { target, before } = opened;
        if (target?.connection !== undefined && before !== undefined) {
          console.error('waiting for the pipeline to deliver and summarise what was sent...');
          pipeline = statsSince((await target.connection.flush()).stats, before);
        }
      } finally {
        await opened.target?.close();
      }
      process.stdout.write(
        flags.format === 'json'
          ? `${JSON.stringify({ ...report, ...(pipeline === undefined ? {} : { pipeline }) }, null, 2)}\n`
          : formatRedriveReport(report, { place: source.errorsPlace, query, config, pipeline }),
      );
      if (report.skipped.unreadable > 0 || Object.keys(report.undelivered).length > 0) process.exitCode = 1;
    });
};

interface Source {
  store: ObjectStore;
  /** Where errors/ is, for the report. */
  errorsPlace: string;
  aws: boolean;
  region?: string;
  /** The stack's delivery stream, with --stack. */
  deliveryStream?: string;
}

async function openSource(flags: SourceFlags, command: Command): Promise<Source> {
  if (flags.bucket !== undefined && flags.stack !== undefined) {
    throw new UsageError('give --bucket or --stack, not both (--stack finds its bucket itself)');
  }
  const aws = flags.bucket !== undefined || flags.stack !== undefined;
  if (aws && command.getOptionValueSource('dataDir') === 'cli') {
    throw new UsageError('--data-dir reads the local lake; --bucket and --stack read a deployed one');
  }
  if (!aws) {
    if (flags.region !== undefined) throw new UsageError('--region applies only with --bucket or --stack');
    const lake = dataDirLayout(flags.dataDir).lake;
    return { store: new LakeDirectory(lake), errorsPlace: `${lake}/errors/`, aws: false };
  }
  const clientConfig = flags.region === undefined ? {} : { region: flags.region };
  let bucket = flags.bucket;
  let deliveryStream: string | undefined;
  if (flags.stack !== undefined) {
    const cloudFormation = new CloudFormationClient(clientConfig);
    try {
      const targets = await readStackOutputs(cloudFormation, flags.stack, FAILED_OUTPUT_KEYS);
      bucket = targets.bucket;
      deliveryStream = targets.deliveryStream;
    } finally {
      cloudFormation.destroy();
    }
  }
  return {
    store: new S3ObjectStore(new S3Client(clientConfig), bucket!),
    errorsPlace: `s3://${bucket}/errors/`,
    aws: true,
    ...(flags.region === undefined ? {} : { region: flags.region }),
    ...(deliveryStream === undefined ? {} : { deliveryStream }),
  };
}

interface Target {
  client: FirehoseClient;
  streamName: string;
  /** The local pipeline, when the records go to one. */
  connection?: PipelineConnection;
  close(): Promise<void>;
}

async function openTarget(flags: RedriveFlags, source: Source): Promise<Target> {
  if (source.aws) {
    const streamName = flags.stream ?? source.deliveryStream;
    if (streamName === undefined) {
      throw new UsageError(
        '--bucket needs --stream: the delivery stream to send to (the stack outputs name it)',
      );
    }
    // The sender retries failed entries itself, with its own backoff.
    const client = new FirehoseClient({
      maxAttempts: 1,
      ...(source.region === undefined ? {} : { region: source.region }),
    });
    console.error(`sending to the delivery stream ${streamName}`);
    return { client, streamName, close: async () => client.destroy() };
  }
  const connection = await connectOrStart({
    dataDir: flags.dataDir,
    endpointUrl: flags.endpointUrl,
    streamName: flags.stream ?? DEFAULT_STREAM_NAME,
    summaryIntervalSeconds: 0,
    onProblem: (message) => console.error(`clickstream: ${message}`),
  });
  console.error(
    connection.inProcess
      ? `sending through a pipeline started here on ${flags.dataDir}/`
      : `sending to the endpoint at ${connection.endpointUrl}`,
  );
  const client = new FirehoseClient({
    endpoint: connection.endpointUrl,
    region: connection.region,
    // The local endpoint accepts any credentials; these keep the SDK from looking for real ones.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    client,
    streamName: connection.streamName,
    connection,
    close: async () => {
      client.destroy();
      await connection.close();
    },
  };
}

function queryFrom(flags: SourceFlags): FailedEventQuery {
  const from = flags.from === undefined ? undefined : isoTimeFlag('--from', flags.from);
  const to = flags.to === undefined ? undefined : isoTimeFlag('--to', flags.to);
  if (from !== undefined && to !== undefined && from >= to) {
    throw new UsageError(`--from (${toUtcIso(from)}) must be before --to (${toUtcIso(to)})`);
  }
  return {
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(flags.reason === undefined ? {} : { reason: flags.reason }),
  };
}

/** The transform's settings as the transform reads them, from this process's environment. */
function transformConfig(): TransformConfig {
  try {
    return readTransformConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

function wholeNumberFlag(flag: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

function reportProblem(problem: ReadProblem): void {
  console.error(
    `clickstream: ${problem.key}${problem.line === undefined ? '' : ` line ${problem.line}`}: ${problem.message}`,
  );
}

function rangeText(query: FailedEventQuery): string {
  if (query.from === undefined && query.to === undefined) return 'arrived at any time';
  const from = query.from === undefined ? 'the start' : toUtcIso(query.from);
  const to = query.to === undefined ? 'now' : toUtcIso(query.to);
  return `arrived from ${from} to ${to}`;
}

export function settingsText(config: TransformConfig): string {
  return `MAX_EVENT_AGE_DAYS=${config.maxEventAgeMs / 86_400_000} FUTURE_TOLERANCE_SECONDS=${config.futureToleranceMs / 1000}`;
}

const GROUP_COLUMNS: QueryResult['columns'] = [
  { name: 'reason', kind: 'text' },
  { name: 'error_output_type', kind: 'text' },
  { name: 'records', kind: 'integer' },
  { name: 'pass_now', kind: 'integer' },
  { name: 'first_arrival', kind: 'text' },
  { name: 'last_arrival', kind: 'text' },
];

/** The list as a table (groups, then samples), as CSV (a group per row, its first sample's event in the last column) or as JSON. */
export function formatFailedList(list: FailedEventList, format: 'table' | 'json' | 'csv'): string {
  const rows = list.groups.map((g) => [
    g.reason,
    g.errorOutputType,
    String(g.records),
    String(g.passNow),
    toUtcIso(g.firstArrival),
    toUtcIso(g.lastArrival),
  ]);
  if (format === 'json') {
    return `${JSON.stringify(
      {
        total: list.total,
        groups: list.groups.map((g) => ({
          reason: g.reason,
          error_output_type: g.errorOutputType,
          records: g.records,
          pass_now: g.passNow,
          first_arrival: toUtcIso(g.firstArrival),
          last_arrival: toUtcIso(g.lastArrival),
          samples: g.samples,
        })),
        problems: list.problems,
      },
      null,
      2,
    )}\n`;
  }
  if (format === 'csv') {
    return formatResult(
      {
        columns: [...GROUP_COLUMNS, { name: 'sample_event', kind: 'text' }],
        rows: list.groups.map((g, i) => [...rows[i]!, JSON.stringify(g.samples[0]?.event ?? null)]),
        notes: [],
      },
      'csv',
    );
  }
  const table = formatResult({ columns: GROUP_COLUMNS, rows, notes: [] }, 'table');
  const samples = list.groups
    .filter((g) => g.samples.length > 0)
    .map((g) =>
      [
        `${g.reason} (${g.errorOutputType}):`,
        ...g.samples.map((s) => {
          const why = s.field === undefined ? (s.message ?? s.error_code) : `${s.field}: ${s.message}`;
          const event =
            s.event === null
              ? `(${formatCount(s.bytes)} bytes, not a JSON object: not shown)`
              : JSON.stringify(s.event);
          return `  ${s.arrival}  ${why}\n    ${event}`;
        }),
      ].join('\n'),
    );
  if (samples.length === 0) return table;
  return `${table}\nSamples (personal fields hidden: docs/failed-events.md):\n${samples.join('\n')}\n`;
}

interface RedriveContext {
  place: string;
  query: FailedEventQuery;
  config: TransformConfig;
  pipeline: PipelineStats | undefined;
}

export function formatRedriveReport(report: RedriveReport, context: RedriveContext): string {
  const { skipped } = report;
  const skippedTotal =
    skipped.alreadyRedriven + skipped.repeated + skipped.refusedByIndex + skipped.unreadable;
  const undelivered = sum(report.undelivered);
  const lines = [
    `${report.dryRun ? 'Dry run: nothing sent or recorded. ' : ''}${formatCount(report.read)} failed records in ${context.place} ` +
      `(${rangeText(context.query)}${context.query.reason === undefined ? '' : `, reason ${context.query.reason}`}), ` +
      `judged now with ${settingsText(context.config)}`,
    row(report.dryRun ? 'would be sent' : 'sent', report.sent),
    row('still failing, not sent', sum(report.stillFailing)),
    ...counts(report.stillFailing),
    row('skipped', skippedTotal),
    `      already redriven ${formatCount(skipped.alreadyRedriven)}, repeated ${formatCount(skipped.repeated)}, ` +
      `refused by the event index (not resent) ${formatCount(skipped.refusedByIndex)}, unreadable ${formatCount(skipped.unreadable)}`,
  ];
  if (undelivered > 0) {
    lines.push(row('not accepted by Firehose', undelivered), ...counts(report.undelivered));
    lines.push('      (not recorded: a next redrive sends them again)');
  }
  for (const key of report.recordedIn) lines.push(`  recorded in ${key}`);
  const { pipeline } = context;
  if (pipeline !== undefined) {
    lines.push(
      'The pipeline meanwhile (all its clients):',
      row('delivered', pipeline.delivered),
      row('already in the event index', pipeline.duplicates),
      row('failed again', pipeline.failed),
      ...counts(pipeline.failedByReason),
    );
    if (pipeline.failed > 0) {
      lines.push(
        '      (does the pipeline run with the settings above? they belong to the process that runs it)',
      );
    }
  }
  return `${lines.join('\n')}\n`;

  function row(label: string, value: number): string {
    return `  ${label.padEnd(30)}${formatCount(value).padStart(10)}`;
  }
}

function counts(byKey: Record<string, number>): string[] {
  const entries = Object.entries(byKey).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (entries.length === 0) return [];
  return [`      ${entries.map(([key, count]) => `${key} ${formatCount(count)}`).join(', ')}`];
}

function sum(byKey: Record<string, number>): number {
  return Object.values(byKey).reduce((a, b) => a + b, 0);
}

/** Objects read, on stderr when it is a terminal (an updating line). */
function objectProgress(): { update: (read: number, total: number) => void; end: () => void } {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    update: (read, total) => {
      if (!tty || total < 20) return;
      shown = true;
      process.stderr.write(`\r\x1b[2Kread ${formatCount(read)} of ${formatCount(total)} error objects`);
    },
    end: () => {
      if (shown) process.stderr.write('\n');
    },
  };
}

/** Redrive progress on stderr: an updating line on a terminal, a line per step otherwise. */
function redriveProgress(dryRun: boolean) {
  const tty = process.stderr.isTTY === true;
  let last = '';
  let shown = false;
  const show = (text: string) => {
    if (text === last) return;
    last = text;
    shown = true;
    if (tty) process.stderr.write(`\r\x1b[2K${text}`);
    else console.error(text);
  };
  return {
    reading: ({ read, sent }: { read: number; sent: number }) =>
      show(
        `read ${formatCount(read)} failed records, ${dryRun ? 'would send' : 'sent'} ${formatCount(sent)}`,
      ),
    sending: (sent: number, of: number) =>
      show(`sending: ${formatCount(sent)} of ${formatCount(of)} acknowledged`),
    end: () => {
      if (tty && shown) process.stderr.write('\n');
    },
  };
}
