import type { Command } from 'commander';
import { formatResult } from '../../analytics/format';
import { toUtcIso } from '../../contract';
import { isAdvertiserId } from '../../lambdas/aggregator/advertiser-id';
import { type SummaryJson, toSummaryJson } from '../../lambdas/aggregator/summary';
import { FileSummaryStore } from '../../local/summary-store/file-summary-store';
import { UsageError } from '../errors';
import { dataDirOption, isoTimeFlag } from '../options';
import { summaryTable } from '../summary-table';
import type { RegisterCommand } from './index';

const FORMATS = ['table', 'json'] as const;
type SummaryFormat = (typeof FORMATS)[number];
const DAY_MS = 86_400_000;
const PAGE = 1000;

interface SummariesFlags {
  advertiser?: string;
  from?: string;
  to?: string;
  dataDir: string;
  format: string;
}

export const registerSummariesCommand: RegisterCommand = (program: Command) => {
  program
    .command('summaries')
    .description(
      'Print the stored 15-minute summaries of the local pipeline (windows whose start lies in [from, to)). ' +
        'JSON output is an array of summary objects, the same form the summary API returns. ' +
        'A corrupt summary file is named on stderr and skipped; the rest is printed and the exit code is 1.',
    )
    .option('--advertiser <id>', 'only this advertiser (default: every advertiser with summaries)')
    .option('--from <time>', 'ISO-8601 time with an offset (default: 24 hours before --to)')
    .option('--to <time>', 'ISO-8601 time with an offset (default: now)')
    .addOption(dataDirOption())
    .option('--format <format>', `output format: ${FORMATS.join(' or ')}`, 'table')
    .action(async (flags: SummariesFlags) => {
      const request = parseFlags(flags, Date.now());
      let skippedFiles = 0;
      const store = new FileSummaryStore(flags.dataDir, {
        onProblem: (message) => {
          skippedFiles += 1;
          console.error(`clickstream: ${message}`);
        },
      });
      const advertisers = request.advertiser === undefined ? await store.advertisers() : [request.advertiser];
      const summaries = await readSummaries(store, advertisers, request.range);
      if (summaries.length === 0) {
        console.error(
          `clickstream: no summaries in ${store.directory} for ${toUtcIso(request.range.from)}..${toUtcIso(request.range.to)}` +
            ' (run `clickstream demo` or `clickstream replay <file>` first, or widen --from/--to)',
        );
      }
      process.stdout.write(
        request.format === 'json'
          ? `${JSON.stringify(summaries, null, 2)}\n`
          : formatResult(summaryTable(summaries), 'table'),
      );
      // Everything readable is printed; the exit code tells a script that something was not.
      if (skippedFiles > 0) process.exitCode = 1;
    });
};

interface SummariesRequest {
  advertiser?: string;
  range: { from: number; to: number };
  format: SummaryFormat;
}

/** Validates the flags; a bad one is a UsageError naming it. */
export function parseFlags(flags: Omit<SummariesFlags, 'dataDir'>, now: number): SummariesRequest {
  if (flags.advertiser !== undefined && !isAdvertiserId(flags.advertiser)) {
    throw new UsageError(`--advertiser ${JSON.stringify(flags.advertiser)} is not an advertiser id`);
  }
  const format = FORMATS.find((f) => f === flags.format);
  if (format === undefined)
    throw new UsageError(`--format must be ${FORMATS.join(' or ')}, got ${JSON.stringify(flags.format)}`);
  const to = flags.to === undefined ? now : isoTimeFlag('--to', flags.to);
  const from = flags.from === undefined ? to - DAY_MS : isoTimeFlag('--from', flags.from);
  if (from >= to) throw new UsageError(`--from (${toUtcIso(from)}) must be before --to (${toUtcIso(to)})`);
  return {
    ...(flags.advertiser === undefined ? {} : { advertiser: flags.advertiser }),
    range: { from, to },
    format,
  };
}

async function readSummaries(
  store: FileSummaryStore,
  advertisers: readonly string[],
  range: { from: number; to: number },
): Promise<SummaryJson[]> {
  const all: SummaryJson[] = [];
  for (const advertiserId of advertisers) {
    let after: number | undefined;
    do {
      const page = await store.query({
        advertiserId,
        range,
        limit: PAGE,
        ...(after === undefined ? {} : { after }),
      });
      all.push(...page.summaries.map(toSummaryJson));
      after = page.after;
    } while (after !== undefined);
  }
  return all;
}
