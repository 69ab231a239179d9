import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { type Command, Option } from 'commander';
import { eraseOnAws } from '../../analytics/erasure/aws-erasure';
import { type ErasureReport, type ErasureSubject, formatErasureReport } from '../../analytics/erasure/report';
import { invalidSubjectValue } from '../../analytics/erasure/subject-value';
import { signedOpenSearchClient } from '../../lambdas/aggregator/opensearch/event-index';
import { eraseLocally } from '../../local/erasure/local-erasure';
import { UsageError } from '../errors';
import { dataDirOption, openSearchUrlFrom } from '../options';
import { readStackOutputs, StackOutputsError } from '../stack/stack-outputs';
import type { RegisterCommand } from './index';

/** The outputs `erase --stack` reads, by their key in lib/clickstream-stack.ts. */
const ERASURE_OUTPUT_KEYS = {
  lakeBucket: 'LakeBucketName',
  database: 'GlueDatabase',
  workgroup: 'CompactionWorkGroup',
  openSearchEndpoint: 'OpenSearchEndpoint',
} as const;

interface EraseFlags {
  userId?: string;
  anonymousId?: string;
  stack?: string;
  region?: string;
  since: string;
  daysPerQuery: string;
  format: 'text' | 'json';
  dataDir: string;
  opensearchUrl?: string;
  dryRun?: boolean;
}

const DAY = 86_400_000;
// The prod stage keeps raw events 730 days and failed records 1,095: search a little further back.
const DEFAULT_SINCE_DAYS = 1100;

/** `--user-id` or `--anonymous-id`, exactly one. */
export function erasureSubject(flags: Pick<EraseFlags, 'userId' | 'anonymousId'>): ErasureSubject {
  const given = [
    ...(flags.userId === undefined ? [] : [{ column: 'user_id' as const, value: flags.userId }]),
    ...(flags.anonymousId === undefined
      ? []
      : [{ column: 'anonymous_id' as const, value: flags.anonymousId }]),
  ];
  if (given.length !== 1) throw new UsageError('give exactly one of --user-id and --anonymous-id');
  const subject = given[0]!;
  if (subject.value.trim() === '')
    throw new UsageError(`--${subject.column.replace('_', '-')} must not be empty`);
  const invalid = invalidSubjectValue(subject.value);
  if (invalid !== undefined) throw new UsageError(`--${subject.column.replace('_', '-')} ${invalid}`);
  return subject;
}

function arrivalDays(since: string, now: number): [string, string] {
  const today = new Date(now).toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(since) || Number.isNaN(Date.parse(`${since}T00:00:00Z`)) || since > today) {
    throw new UsageError(`--since must be a day YYYY-MM-DD, not after today (got ${JSON.stringify(since)})`);
  }
  return [since, today];
}

export const registerEraseCommand: RegisterCommand = (program: Command) => {
  program
    .command('erase')
    .description(
      "Erase one person's events (a data-protection request) and report what was removed. With --stack, on the " +
        'deployed stack with your AWS credentials: the raw lake and errors/ objects are rewritten without them, their ' +
        'curated_events rows deleted (Athena, Iceberg DELETE) and their OpenSearch documents deleted. Without ' +
        '--stack, in the local data dir (refused while a pipeline runs on it): the raw and errors/ objects and the ' +
        'curated day files are rewritten without them, and their event index rows deleted.',
    )
    .option('--user-id <id>', 'erase the events with this user_id')
    .option('--anonymous-id <id>', 'erase the events with this anonymous_id')
    .option('--stack <name>', 'the deployed CloudFormation stack (for example Clickstream-prod)')
    .option('--region <region>', 'AWS region (with --stack; default from the AWS configuration)')
    .option(
      '--since <YYYY-MM-DD>',
      'first arrival day to search the raw lake and errors/ from (with --stack)',
      new Date(Date.now() - DEFAULT_SINCE_DAYS * DAY).toISOString().slice(0, 10),
    )
    .option(
      '--days-per-query <days>',
      'arrival days per raw-lake or errors/ search, each under the scan cutoff (with --stack)',
      '92',
    )
    .addOption(dataDirOption('lake, event index; without --stack'))
    .option(
      '--opensearch-url <url>',
      'also delete from the events-* indices of the OpenSearch node the local pipeline indexes to (without --stack)',
    )
    .option('--dry-run', 'report what would be removed from the data dir, changing nothing (without --stack)')
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json']).default('text'))
    .action(async (flags: EraseFlags) => {
      const subject = erasureSubject(flags);
      if (flags.stack === undefined) {
        await eraseDataDir(flags, subject);
        return;
      }
      if (flags.dryRun === true || flags.opensearchUrl !== undefined) {
        throw new UsageError('--dry-run and --opensearch-url are for the local data dir: leave out --stack');
      }
      const daysPerQuery = Number(flags.daysPerQuery);
      if (!Number.isInteger(daysPerQuery) || daysPerQuery < 1 || daysPerQuery > 3660) {
        throw new UsageError(
          `--days-per-query must be a whole number from 1 to 3660 (got ${flags.daysPerQuery})`,
        );
      }
      const report = await eraseOnStack(
        flags.stack,
        flags.region,
        subject,
        arrivalDays(flags.since, Date.now()),
        daysPerQuery,
      );
      process.stdout.write(
        flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatErasureReport(report),
      );
    });
};

/** Without --stack: the local data dir (and the OpenSearch node given), holding its lock. */
async function eraseDataDir(flags: EraseFlags, subject: ErasureSubject): Promise<void> {
  const openSearchUrl =
    flags.opensearchUrl === undefined ? undefined : openSearchUrlFrom(flags.opensearchUrl);
  const report = await eraseLocally(
    {
      dataDir: flags.dataDir,
      ...(openSearchUrl === undefined ? {} : { openSearchUrl }),
      dryRun: flags.dryRun === true,
      onProgress: (message) => process.stderr.write(`${message}\n`),
    },
    subject,
  );
  process.stdout.write(
    flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatErasureReport(report),
  );
  // Like compact: an object that could not be read may still hold the person's events.
  if ((report.unsearched?.length ?? 0) > 0) process.exitCode = 1;
}

async function eraseOnStack(
  stackName: string,
  region: string | undefined,
  subject: ErasureSubject,
  days: [string, string],
  daysPerQuery: number,
): Promise<ErasureReport> {
  const config = region === undefined ? {} : { region };
  const cloudFormation = new CloudFormationClient(config);
  const athena = new AthenaClient(config);
  const s3 = new S3Client(config);
  try {
    const outputs = await readStackOutputs(cloudFormation, stackName, ERASURE_OUTPUT_KEYS).catch(
      (error: unknown) => {
        if (error instanceof StackOutputsError) throw new UsageError(error.message);
        throw error;
      },
    );
    const resolvedRegion = await athena.config.region();
    return await eraseOnAws(
      {
        athena,
        s3,
        openSearch: signedOpenSearchClient(outputs.openSearchEndpoint, resolvedRegion),
        workgroup: outputs.workgroup,
        database: outputs.database,
        lakeBucket: outputs.lakeBucket,
        arrivalDays: days,
        daysPerQuery,
        onProgress: (message) => process.stderr.write(`${message}\n`),
      },
      subject,
    );
  } finally {
    for (const client of [cloudFormation, athena, s3]) client.destroy();
  }
}
