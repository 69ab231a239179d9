import type { Command } from 'commander';
import { UsageError } from '../errors';
import { DEFAULT_STACK_DASHBOARD_PORT, startStackDashboard } from '../stack/stack-dashboard';
import type { RegisterCommand } from './index';
import { isLoopback, number } from './serve';

interface DashboardFlags {
  stack: string;
  region?: string;
  port: string;
  host: string;
}

export const registerDashboardCommand: RegisterCommand = (program: Command) => {
  program
    .command('dashboard')
    .description(
      'Serve the dashboard on loopback against a deployed stack: its summary API and live WebSocket API signed ' +
        'with your AWS credentials (SigV4), saved queries on its Athena workgroup, failed counts from its lake bucket ' +
        '(docs/live.md#on-aws). The live tail exists only on the local server.',
    )
    .requiredOption('--stack <name>', 'the deployed clickstream stack (its outputs name the APIs)')
    .option('--region <region>', "the stack's region (default from the AWS configuration)")
    .option('--port <port>', 'port to listen on (0: any free port)', String(DEFAULT_STACK_DASHBOARD_PORT))
    .option(
      '--host <address>',
      'loopback address to listen on (requests are signed with your credentials, so it never listens beyond this machine)',
      '127.0.0.1',
    )
    .action(async (flags: DashboardFlags) => {
      if (!isLoopback(flags.host)) {
        throw new UsageError(
          `--host must be a loopback address (127.0.0.1, ::1, localhost): whoever reaches the port acts with your AWS credentials (got ${JSON.stringify(flags.host)})`,
        );
      }
      const log = (line: string) => process.stderr.write(`${line}\n`);
      log(`reading the outputs of stack ${flags.stack}...`);
      const dashboard = await startStackDashboard({
        stackName: flags.stack,
        ...(flags.region === undefined ? {} : { region: flags.region }),
        host: flags.host.replace(/^\[(.*)\]$/, '$1'),
        port: number('--port', flags.port, 0, 65_535),
        log,
      });
      const stopped = new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          log(`\n${signal}: stopping (queries under way on Athena are stopped too)`);
          for (const s of STOP_SIGNALS) process.off(s, stop);
          dashboard.close().then(resolve, resolve);
        };
        for (const s of STOP_SIGNALS) process.on(s, stop);
      });
      console.log(
        `Dashboard for stack ${flags.stack} (${dashboard.region}) on ${dashboard.url} ` +
          `(summary API ${dashboard.url}advertisers/<id>/summaries, live updates ${dashboard.url.replace(/^http/, 'ws')}live; docs/live.md#on-aws)`,
      );
      console.log('Ctrl-C stops it.');
      await stopped;
    });
};

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
