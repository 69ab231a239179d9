/**
 * `npm run test:engines`: checks the prerequisites, downloads or builds each engine into the
 * git-ignored cache (first run only), runs the engine suite (whose global setup starts and stops
 * the engines), and ends with `N passed, N failed`. Whatever happens (a crash, Ctrl-C), every
 * engine process it started is stopped before it exits.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestCounts } from '../test/summary-reporter';
import { engineContext, MissingPrerequisiteError } from './context';
import { claimEngineOwnership, killRecordedProcesses } from './process';
import { engineResultFile } from './result-file';
import { selectedEngines } from './selection';

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function prepareEngines(): Promise<void> {
  const context = engineContext();
  const leftovers = killRecordedProcesses('orphaned');
  if (leftovers > 0) context.progress(`stopped ${leftovers} engine process(es) left by an earlier run`);
  for (const engine of selectedEngines()) {
    const startedAt = Date.now();
    context.progress(`preparing ${engine.name} (cache: ${context.cacheDir})`);
    await engine.prepare(context);
    context.progress(`${engine.name} prepared in ${seconds(startedAt)}`);
  }
}

/** Runs vitest on the engine suite; the first Ctrl-C lets it tear down, a second one stops it at once. */
const SAME_SIGNAL_MS = 500;

/** Set by the first Ctrl-C (or SIGTERM): the run ends as interrupted, not as failed. */
let interrupted = false;

function runSuite(root: string): Promise<number> {
  return new Promise((resolveRun) => {
    const vitest = spawn(
      join(root, 'node_modules/.bin/vitest'),
      ['run', '--config', 'vitest.engines.config.ts', ...process.argv.slice(2)],
      { cwd: root, stdio: 'inherit' },
    );
    let interrupts = 0;
    let lastSignalAt = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      // A terminal's Ctrl-C reaches this process twice: from the terminal and relayed by tsx.
      if (Date.now() - lastSignalAt < SAME_SIGNAL_MS) return;
      lastSignalAt = Date.now();
      interrupts++;
      interrupted = true;
      if (interrupts === 1) {
        process.stderr.write(`\n[engines] ${signal}: stopping the suite and its engines (again to force)\n`);
        vitest.kill('SIGINT');
      } else {
        vitest.kill('SIGKILL');
        killRecordedProcesses('mine');
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    vitest.once('exit', (code, signal) => resolveRun(code ?? (signal === null ? 1 : 128)));
  });
}

function readCounts(): TestCounts | undefined {
  const file = engineResultFile();
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as TestCounts;
}

async function main(): Promise<number> {
  const startedAt = Date.now();
  claimEngineOwnership();
  // As in the CLI and the benches: the AWS SDK's Node-version warning would repeat in every test file.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const context = engineContext();
  await prepareEngines();
  rmSync(engineResultFile(), { force: true });
  process.env.CLICKSTREAM_ENGINES_RESULT_FILE = engineResultFile();
  const exitCode = await runSuite(context.root);
  const killed = killRecordedProcesses('mine');
  if (killed > 0) context.progress(`stopped ${killed} engine process(es) the suite left running`);
  const counts = readCounts();
  context.progress(`engine suite wall time ${seconds(startedAt)}`);
  if (interrupted) {
    console.log(`${counts?.passed ?? 0} passed, ${counts?.failed ?? 0} failed (interrupted)`);
    return 130;
  }
  if (counts === undefined) {
    console.log('0 passed, 1 failed (the suite did not report: see the errors above)');
    return exitCode === 0 ? 1 : exitCode;
  }
  console.log(`${counts.passed} passed, ${counts.failed} failed`);
  return counts.failed > 0 || exitCode !== 0 ? Math.max(exitCode, 1) : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    killRecordedProcesses('mine');
    if (error instanceof MissingPrerequisiteError) {
      console.error(`npm run test:engines: ${error.message}`);
      console.log('0 passed, 0 failed (prerequisites missing)');
      process.exit(2);
    }
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    console.log('0 passed, 1 failed (the engines could not be prepared: see above)');
    process.exit(1);
  },
);
