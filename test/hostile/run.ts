// `npm run hostile [-- options]`: the hostile test of `clickstream serve` (docs/local-pipeline.md).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Report, table } from './checks';
import { fullDisk, releaseFullDisk } from './full-disk';
import { badInputs } from './inputs';
import { abandonLoads } from './load';
import { loadAndKills } from './load-and-kills';
import { type HostileOptions, type Phase, parseHostileOptions, USAGE } from './options';
import { killAllServes } from './serve-runner';
import { shutdownWhileFailing } from './shutdown';
import { spoolFolderDeleted } from './spool-loss';

const PHASE_RUNS: Record<Phase, (report: Report, options: HostileOptions, root: string) => Promise<void>> = {
  load: loadAndKills,
  spool: spoolFolderDeleted,
  disk: fullDisk,
  shutdown: shutdownWhileFailing,
  inputs: badInputs,
};

// As the CLI does: the AWS SDK's Node-version warning would repeat in every client.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let options: HostileOptions | 'help';
try {
  options = parseHostileOptions(process.argv.slice(2));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
if (options === 'help') {
  console.log(USAGE);
  process.exit(0);
}

const root = await mkdtemp(join(tmpdir(), 'clickstream-hostile-'));
const cleanUp = async () => {
  killAllServes();
  await releaseFullDisk();
  if (!options.keep) await rm(root, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the serve processes and removing ${root}`);
    cleanUp().finally(() => process.exit(130));
  });
}

const report = new Report();
const started = Date.now();
console.log(`node ${process.version}; temporary data dirs under ${root}; loopback only`);
for (const phase of options.phases) {
  try {
    await PHASE_RUNS[phase](report, options, root);
  } catch (error) {
    report
      .phase(phase, 'aborted')
      .check(
        `the ${phase} phase ran to its end`,
        false,
        error instanceof Error ? (error.stack ?? error.message) : String(error),
      );
  } finally {
    await abandonLoads();
    killAllServes();
  }
}
await cleanUp();

console.log(
  `\n== summary (${((Date.now() - started) / 1000).toFixed(0)} s, phases ${options.phases.join(', ')})`,
);
console.log(table(report.figures.map((f) => [f.phase, f.name, f.value])));
console.log('');
console.log(
  table(report.checks.map((c) => [c.passed ? 'ok' : 'FAIL', c.phase, c.name, c.detail.split('\n')[0] ?? ''])),
);
const failed = report.failed;
console.log(
  `\n${report.checks.length - failed.length} of ${report.checks.length} invariants held${failed.length > 0 ? `; FAILED: ${failed.map((c) => c.name).join('; ')}` : ''}`,
);
if (options.keep) console.log(`data dirs kept in ${root}`);
process.exit(failed.length > 0 ? 1 : 0);
