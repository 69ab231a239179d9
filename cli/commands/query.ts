import { AthenaClient } from '@aws-sdk/client-athena';
import { type Command, Option } from 'commander';
import { runOnAthena } from '../../analytics/athena-runner';
import { loadSavedQueries, type SavedQuery } from '../../analytics/catalog';
import { formatResult, OUTPUT_FORMATS, type OutputFormat } from '../../analytics/format';
import { runLocally } from '../../analytics/local-runner';
import { findSavedQuery, UnknownQueryError } from '../../analytics/lookup';
import { ParameterError, parseParameterValues, rangeText, signature } from '../../analytics/parameters';
import type { QueryResult } from '../../analytics/result';
import { UsageError } from '../errors';
import { dataDirOption } from '../options';
import type { RegisterCommand } from './index';

interface RunOptions {
  param: string[];
  format: OutputFormat;
  dataDir: string;
  verbose: boolean;
  athena: boolean;
  workgroup?: string;
  database?: string;
  catalog: string;
  region?: string;
  outputLocation?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export const registerQueryCommand: RegisterCommand = (program: Command) => {
  const query = program
    .command('query')
    .description('Saved Athena queries (queries/*.sql): list them, run them.');

  query
    .command('list')
    .description('Show the saved queries with their parameters.')
    .action(() => {
      process.stdout.write(describeQueries(loadSavedQueries()));
    });

  query
    .command('run')
    .description(
      'Run a saved query on the local lake (DuckDB) or, with --athena, on Athena. Parameter values go in the ' +
        'order `query list` shows, as arguments or --param, or by name as --param name=value.',
    )
    .argument('<name>', 'saved query name')
    .argument('[values...]', 'parameter values, in order')
    .option('--param <value>', 'a parameter value (repeatable; `name=value` to give it by name)', collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .addOption(dataDirOption('lake/'))
    .option('--verbose', 'also report the lake files each scan read (local) and query progress', false)
    .option('--athena', 'run on Athena instead of the local lake', false)
    .option('--workgroup <name>', 'Athena workgroup (with --athena)')
    .option('--database <name>', 'Glue database holding the events and failed_events tables (with --athena)')
    .option('--catalog <name>', 'Athena data catalog (with --athena)', 'AwsDataCatalog')
    .option('--region <region>', 'AWS region (with --athena; default from the AWS configuration)')
    .option(
      '--output-location <s3-uri>',
      'result location, only if the workgroup does not enforce one (with --athena)',
    )
    .action(async (name: string, values: string[], options: RunOptions, command: Command) => {
      refuseOptionsForTheOtherEngine(options, command);
      const saved = resolve(name, () => findSavedQuery(loadSavedQueries(), name));
      const parameters = resolve(name, () => parseParameterValues(saved, [...values, ...options.param]));
      const result = options.athena
        ? await runAthena(saved, parameters, options)
        : await runLocally(saved, parameters, { dataDir: options.dataDir, verbose: options.verbose });
      report(result);
      process.stdout.write(formatResult(result, options.format));
    });
};

// Options that only one engine reads, by their commander keys; given to the other, they would be
// ignored without a word, so they are refused instead.
const LOCAL_ONLY_OPTIONS = { dataDir: '--data-dir' } as const;
const ATHENA_ONLY_OPTIONS = {
  workgroup: '--workgroup',
  database: '--database',
  catalog: '--catalog',
  region: '--region',
  outputLocation: '--output-location',
} as const;

function refuseOptionsForTheOtherEngine(options: RunOptions, command: Command): void {
  const given = (flags: Record<string, string>) =>
    Object.entries(flags)
      .filter(([key]) => command.getOptionValueSource(key) === 'cli')
      .map(([, flag]) => flag);
  if (options.athena) {
    const local = given(LOCAL_ONLY_OPTIONS);
    if (local.length > 0) {
      throw new UsageError(
        `${local.join(', ')} reads the local lake; with --athena the query reads the Glue tables of --database`,
      );
    }
    return;
  }
  const athena = given(ATHENA_ONLY_OPTIONS);
  if (athena.length > 0) {
    throw new UsageError(
      `${athena.join(', ')} only apply with --athena; without it the query runs on the local lake`,
    );
  }
}

function resolve<T>(name: string, get: () => T): T {
  try {
    return get();
  } catch (error) {
    if (error instanceof UnknownQueryError) throw new UsageError(error.message);
    if (error instanceof ParameterError) throw new UsageError(`${name}: ${error.message}`);
    throw error;
  }
}

async function runAthena(
  saved: SavedQuery,
  parameters: ReturnType<typeof parseParameterValues>,
  options: RunOptions,
): Promise<QueryResult> {
  if (options.workgroup === undefined || options.database === undefined) {
    throw new UsageError('--athena needs --workgroup and --database (the stack outputs name both)');
  }
  const client = new AthenaClient(options.region === undefined ? {} : { region: options.region });
  const controller = new AbortController();
  const onInterrupt = () => {
    process.stderr.write('stopping the Athena query...\n');
    controller.abort();
  };
  process.once('SIGINT', onInterrupt);
  try {
    return await runOnAthena(client, saved, parameters, {
      workgroup: options.workgroup,
      database: options.database,
      catalog: options.catalog,
      ...(options.outputLocation === undefined ? {} : { outputLocation: options.outputLocation }),
      signal: controller.signal,
      onState: (state, elapsedMs) =>
        process.stderr.write(`${state} after ${(elapsedMs / 1000).toFixed(1)} s\n`),
    });
  } finally {
    process.off('SIGINT', onInterrupt);
    client.destroy();
  }
}

function report(result: QueryResult): void {
  for (const note of result.notes) process.stderr.write(`${note}\n`);
}

/** `name(param:type ...)` and the description, then one line per parameter with its type and range. */
export function describeQueries(queries: readonly SavedQuery[]): string {
  return queries
    .map((q) => {
      const params = q.parameters.map((p) => {
        const range = rangeText(p);
        return `    ${p.name} (${p.type}${range === '' ? '' : `, ${range}`}): ${p.description}`;
      });
      return [`${q.name}  ${signature(q)}`, `    ${q.description}`, ...params].join('\n');
    })
    .join('\n\n')
    .concat('\n');
}
