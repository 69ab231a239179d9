import { readFile } from 'node:fs/promises';
import type { FirehoseTransformationEvent, FirehoseTransformationResultRecord } from 'aws-lambda';
import type { Command } from 'commander';
import type { Refusal } from '../../contract';
import { sizedBatches } from '../../lambdas/shared/batches';
import { createTransformHandler } from '../../lambdas/transform/handler';
import { parseTrafficLine } from '../../local/traffic/traffic-line';
import { UsageError } from '../errors';
import { isoTimeFlag } from '../options';
import type { RegisterCommand } from './index';

interface TransformFlags {
  stored: boolean;
  summary: boolean;
  arrivedAt?: string;
}

/** Firehose's Lambda invocation payload limit: a longer file is sent as several batches, as Firehose would. */
const MAX_BATCH_BYTES = 6_000_000;
/** Firehose's per-record JSON overhead besides the data (recordId, arrival time, punctuation). */
const RECORD_OVERHEAD_BYTES = 120;

export const registerTransformCommand: RegisterCommand = (program: Command) => {
  program
    .command('transform')
    .description(
      'Send each line of an NDJSON file through the Firehose transform Lambda (as one Firehose record) and ' +
        'show the outcome per line, with a tally by result and by failure reason.',
    )
    .argument(
      '<file>',
      'traffic file: one record per line, as a tracker sends them, optionally preceded by its arrival time and a tab (docs/traffic-format.md)',
    )
    .option('--stored', 'also print the stored record of each Ok line', false)
    .option('--summary', 'print only the tallies', false)
    .option(
      '--arrived-at <time>',
      "the arrival time Firehose stamps on every record, ISO-8601 with an offset (default: each line's recorded arrival time, else now). The " +
        "transform refuses an event_time too far before or after it: give a file's own day to see it as it arrived",
    )
    .action(async (file: string, flags: TransformFlags) => {
      const arrivedAt =
        flags.arrivedAt === undefined ? undefined : isoTimeFlag('--arrived-at', flags.arrivedAt);
      const now = Date.now();
      const lines = (await readLines(file)).map((line) => {
        const { arrivedAt: recorded, record } = parseTrafficLine(line.subarray(0, -1));
        return { data: Buffer.concat([record, NEWLINE]), arrivalMs: arrivedAt ?? recorded ?? now };
      });
      // Lambda's CloudWatch output (EMF metrics, a warning per refused record) would bury the
      // report; the reasons are printed below instead. Explicit settings win.
      process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
      process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
      const refusals = new Map<string, Refusal>();
      const handler = createTransformHandler({
        onRefused: (recordId, refusal) => refusals.set(recordId, refusal),
      });
      const results: FirehoseTransformationResultRecord[] = [];
      for (const event of firehoseBatches(lines)) results.push(...(await handler(event)).records);
      if (!flags.summary) printOutcomes(results, refusals, flags.stored);
      printTallies(results, refusals, file);
    });
};

/**
 * The file's lines as bytes, each with its newline as a tracker sends it (bytes, not text, so that
 * invalid UTF-8 reaches the transform as sent); an empty last line is not a record.
 */
async function readLines(file: string): Promise<Buffer[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`no such file: ${file}`);
    if (code === 'EISDIR') throw new UsageError(`${file} is a directory; give an NDJSON file`);
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const lines: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline + 1;
    lines.push(
      newline === -1 ? Buffer.concat([bytes.subarray(start), Buffer.from('\n')]) : bytes.subarray(start, end),
    );
    start = end;
  }
  return lines;
}

const NEWLINE = Buffer.from('\n');

/** Firehose-shaped events holding the records in order, each under the invocation payload limit. */
function* firehoseBatches(
  lines: { data: Buffer; arrivalMs: number }[],
): Generator<FirehoseTransformationEvent> {
  type TransformRecord = FirehoseTransformationEvent['records'][number];
  // Encoded as the batches fill: only the batch being built is held as base64, not the whole file.
  function* records(): Generator<TransformRecord> {
    for (const [index, { data, arrivalMs }] of lines.entries()) {
      yield {
        recordId: `line-${index + 1}`,
        approximateArrivalTimestamp: arrivalMs,
        data: data.toString('base64'),
      };
    }
  }
  const sizeOf = (record: TransformRecord) => record.data.length + RECORD_OVERHEAD_BYTES;
  for (const batch of sizedBatches(records(), sizeOf, { maxBytes: MAX_BATCH_BYTES }))
    yield firehoseEvent(batch);
}

function firehoseEvent(records: FirehoseTransformationEvent['records']): FirehoseTransformationEvent {
  return {
    invocationId: `cli-${process.pid}`,
    deliveryStreamArn: 'arn:aws:firehose:local:000000000000:deliverystream/clickstream-cli',
    region: 'local',
    records,
  };
}

function printOutcomes(
  results: FirehoseTransformationResultRecord[],
  refusals: Map<string, Refusal>,
  showStored: boolean,
): void {
  const idWidth = Math.max(6, ...results.map((r) => r.recordId.length));
  console.log(`${'record'.padEnd(idWidth)}  ${'result'.padEnd(16)}  detail`);
  for (const { recordId, result, data } of results) {
    const refusal = refusals.get(recordId);
    const detail =
      result === 'Dropped'
        ? 'repeated event_id (an earlier record of the batch has it)'
        : refusal === undefined
          ? ''
          : `${refusal.reason}${refusal.field === undefined ? '' : ` at ${refusal.field}`}: ${refusal.message}`;
    console.log(`${recordId.padEnd(idWidth)}  ${result.padEnd(16)}  ${detail}`.trimEnd());
    if (showStored && result === 'Ok' && data !== undefined) {
      process.stdout.write(`  ${Buffer.from(data, 'base64').toString('utf8')}`);
    }
  }
  console.log();
}

function printTallies(
  results: FirehoseTransformationResultRecord[],
  refusals: Map<string, Refusal>,
  file: string,
): void {
  const byResult = countBy(results.map((r) => r.result));
  const byReason = countBy([...refusals.values()].map((r) => r.reason));
  console.log(`${file}: ${results.length} records`);
  for (const result of ['Ok', 'Dropped', 'ProcessingFailed']) {
    console.log(`  ${result.padEnd(18)} ${String(byResult.get(result) ?? 0).padStart(6)}`);
  }
  if (byReason.size === 0) return;
  console.log('failure reasons:');
  for (const [reason, count] of [...byReason].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    console.log(`  ${reason.padEnd(24)} ${String(count).padStart(6)}`);
  }
}

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
