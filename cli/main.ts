import { Command, CommanderError } from 'commander';
import { exitQuietlyWhenPipeCloses } from './closed-pipe';
import { commands } from './commands';
import { UsageError } from './errors';

exitQuietlyWhenPipeCloses(process.stdout);

const program = new Command('clickstream')
  .description('Clickstream and ad-event analytics: the local pipeline, saved queries and the tracker.')
  .showHelpAfterError()
  .exitOverride();

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  // Commander has already printed its message; apart from --help and --version (exit code 0),
  // everything it throws is a usage error.
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof UsageError) {
    console.error(`clickstream: ${error.message}`);
    return 2;
  }
  console.error(`clickstream: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.CLICKSTREAM_DEBUG && error instanceof Error) console.error(error.stack);
  return 1;
}
