import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../engines/process';
import { dataDirLayout } from '../../local/pipeline/data-dir';
import { DEFAULT_STREAM_NAME } from '../../local/pipeline/local-pipeline';
import { count, type PhaseReport, type Report } from './checks';
import { filesUnder, spoolSegments, type TemporaryFile, temporaryFiles } from './data-dir-scan';
import { checkDelivery } from './delivery-check';
import { CORRUPTED_ADVERTISER, Ledger, LOAD_ADVERTISERS } from './ledger';
import { Load, percentile } from './load';
import type { HostileOptions } from './options';
import { ServeRunner, sleep } from './serve-runner';

const CLI = fileURLToPath(new URL('../../cli/clickstream.js', import.meta.url));
const DRAIN_GRACE_MS = 60_000;
const STOP_LIMIT_MS = 120_000;

/** Files planted before the last restart, and what each should become. */
interface Planted {
  tornSegment?: string;
  corruptSummaries: string[];
  strayTemporaries: string[];
}

/**
 * The load (16 clients by default, acknowledgement rate and latency), then SIGKILLs of `serve`
 * under that load, each followed by a restart on the same data dir and port, with corrupt files
 * placed before the last restart; then every acknowledged record is looked for in the stopped
 * data dir and the summaries are compared with counts recomputed from what was delivered.
 */
export async function loadAndKills(report: Report, options: HostileOptions, root: string): Promise<void> {
  const dataDir = join(root, 'load');
  const serveTmp = join(root, 'load-tmpdir');
  await mkdir(serveTmp, { recursive: true });
  const serve = new ServeRunner({
    dataDir,
    port: await freePort(),
    env: { TMPDIR: serveTmp },
    logPrefix: `${dataDir}-serve`,
  });
  const ledger = new Ledger('h');
  let phase = report.phase(
    'load',
    `${options.clients} clients (the real FirehoseClient), ${options.batch} records per PutRecordBatch, ${options.loadSeconds} s`,
  );
  await serve.start();
  const load = new Load({ endpoint: serve.url, clients: options.clients, batch: options.batch, ledger });
  const started = Date.now();
  await sleep(options.loadSeconds * 1000);
  reportLoad(phase, load, started, Date.now());
  const segments = await spoolSegments(dataDir, DEFAULT_STREAM_NAME);
  phase.check(
    'empty spool segments do not pile up',
    segments.empty <= 2,
    `${count(segments.empty)} empty of ${count(segments.files)} segment files after ${options.loadSeconds} s of load`,
  );

  phase = report.phase(
    'kills',
    `${options.kills} SIGKILLs of serve under load, one every ${options.killInterval} s`,
  );
  const leftByKills: TemporaryFile[] = [];
  const restartMs: number[] = [];
  let planted: Planted = { corruptSummaries: [], strayTemporaries: [] };
  for (let kill = 1; kill <= options.kills; kill++) {
    await sleep(options.killInterval * 1000);
    await serve.kill();
    leftByKills.push(...(await temporaryFiles(dataDir, serveTmp)));
    if (kill === options.kills) planted = await plantCorruptFiles(dataDir);
    const before = Date.now();
    await serve.start();
    restartMs.push(Date.now() - before);
  }
  if (options.kills > 0) {
    phase.figure(
      'restarts',
      `${options.kills}, each until the endpoint listened: median ${(percentile(restartMs, 50) / 1000).toFixed(1)} s, max ${(Math.max(...restartMs) / 1000).toFixed(1)} s`,
    );
    const outside = leftByKills.filter((f) => f.exposed || !f.path.startsWith(`${dataDir}/`));
    phase.check(
      'temporary files a SIGKILL leaves are inside the data dir and private (0600)',
      outside.length === 0,
      `${count(leftByKills.length)} left over the kills, ${count(leftByKills.filter((f) => f.exposed).length)} readable by other users (${summariseTemporaries(leftByKills, dataDir, serveTmp)})`,
    );
    await checkPlanted(phase, serve, planted);
    await sleep(options.killInterval * 1000);
  }
  const figures = await load.stop(DRAIN_GRACE_MS);
  phase.figure(
    'clients',
    `${count(figures.requests)} requests, failed: ${
      Object.entries(figures.errors)
        .map(([name, n]) => `${name} ${count(n)}`)
        .join(', ') || 'none'
    }; ${count(figures.unknown)} records never acknowledged`,
  );
  for (const [name, message] of Object.entries(load.errorExamples()))
    phase.note(`a failed request (${name}): ${message.slice(0, 160)}`);
  await touchEveryAdvertiser(serve, ledger, options.clients);

  // No Flush: SIGTERM alone must deliver what was accepted and summarise it before exiting.
  const exit = await serve.stop('SIGTERM', STOP_LIMIT_MS);
  phase.check('SIGTERM stops serve with exit code 0', exit === 0, `exit ${exit} (log: ${serve.log})`);
  if (exit === 'timeout') await serve.kill();
  if (planted.corruptSummaries.length > 0) {
    const names = planted.corruptSummaries.map((p) => relative(dataDir, p));
    const named = names.some((name) => serve.output().includes(name));
    phase.check(
      'serve names a corrupt summary file and keeps summarising the others',
      named,
      `${named ? 'names' : 'does not name'} ${names[0]}${named ? '' : `; it said: ${summaryProblem(serve.output())}`} (the others: see the summary checks below)`,
    );
  }
  await deliverWhatTheStopLeft(phase, serve, dataDir);
  const left = await temporaryFiles(dataDir, serveTmp);
  phase.check(
    'no temporary files left after a clean stop',
    left.length === 0,
    left.length === 0 ? 'none' : summariseTemporaries(left, dataDir, serveTmp),
  );
  await checkDelivery(phase, dataDir, ledger, { skipSummariesOf: [CORRUPTED_ADVERTISER] });
  await checkSummariesCommand(phase, dataDir);
}

function reportLoad(phase: PhaseReport, load: Load, from: number, to: number): void {
  const acks = load.acknowledgements.filter((a) => a.at >= from && a.at <= to);
  const records = acks.reduce((sum, a) => sum + a.records, 0);
  const latencies = acks.map((a) => a.latencyMs);
  const seconds = (to - from) / 1000;
  phase.figure(
    'acknowledged',
    `${count(Math.round(records / seconds))} records/s (${count(records)} records in ${seconds.toFixed(1)} s, ${count(acks.length)} requests)`,
  );
  phase.figure(
    'acknowledgement latency per PutRecordBatch',
    `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
  );
  const failed = load.figures().errors;
  if (Object.keys(failed).length > 0)
    phase.note(`requests failed during the load: ${JSON.stringify(failed)}`);
}

/**
 * A half-written line at the end of the newest spool segment (what a crash mid-write leaves), an
 * unreadable summary file, and stray temporary files in the lake and the summaries.
 */
async function plantCorruptFiles(dataDir: string): Promise<Planted> {
  const layout = dataDirLayout(dataDir);
  const planted: Planted = { corruptSummaries: [], strayTemporaries: [] };
  const segments = (await filesUnder(layout.spool(DEFAULT_STREAM_NAME)))
    .filter((p) => p.endsWith('.wal'))
    .sort();
  const newest = segments.at(-1);
  if (newest !== undefined) {
    await appendFile(newest, '{"i":"torn-by-the-hostile-test","t":1,"d":"eyJldmVudF9pZCI6');
    planted.tornSegment = newest;
  }
  planted.corruptSummaries = await corruptSummaryFiles(dataDir);
  const lakeFolder = (await filesUnder(join(layout.lake, 'events'))).find((p) => p.endsWith('.gz'));
  const summaryFolder = (await filesUnder(join(dataDir, 'summaries')))[0];
  for (const folder of [lakeFolder, summaryFolder].flatMap((p) => (p === undefined ? [] : [dirname(p)]))) {
    const stray = join(folder, `.tmp-${randomUUID()}`);
    await writeFile(stray, 'left by a crash');
    planted.strayTemporaries.push(stray);
  }
  return planted;
}

async function checkPlanted(phase: PhaseReport, serve: ServeRunner, planted: Planted): Promise<void> {
  if (planted.tornSegment !== undefined) {
    const segment = basename(planted.tornSegment);
    const reported = serve
      .output()
      .split('\n')
      .some(
        (line) =>
          (line.includes(segment) || /spool/i.test(line)) &&
          /torn|cut|partial|incomplete|truncat|unreadable|damaged|corrupt|dropped|skipped|ignored/i.test(
            line,
          ),
      );
    phase.check(
      'a torn spool line is reported at start',
      reported,
      reported ? `a line names it (${segment})` : `serve said nothing about ${segment}`,
    );
  }
  const remaining = [];
  for (const path of planted.strayTemporaries)
    if (await stat(path).catch(() => undefined)) remaining.push(path);
  phase.check(
    'stray .tmp-* files are removed at start',
    remaining.length === 0,
    `${remaining.length} of ${planted.strayTemporaries.length} still there${remaining.length > 0 ? ` (${remaining.map((p) => basename(dirname(p))).join(', ')})` : ''}`,
  );
}

/**
 * A bounded stop may leave records in the spool (it says so); they are delivered on the next start.
 * Restarts and stops again until the spool is empty, so the delivery check sees them.
 */
async function deliverWhatTheStopLeft(
  phase: PhaseReport,
  serve: ServeRunner,
  dataDir: string,
): Promise<void> {
  for (let round = 1; round <= 3; round++) {
    const { files, empty } = await spoolSegments(dataDir, DEFAULT_STREAM_NAME);
    if (files === empty) return;
    phase.note(
      `the stop left ${files - empty} spool segments with records: restart ${round} to deliver them`,
    );
    await serve.start();
    if ((await serve.stop('SIGTERM', STOP_LIMIT_MS)) === 'timeout') await serve.kill();
  }
}

/** One batch spread over every advertiser, so the final Flush recomputes every advertiser's windows. */
async function touchEveryAdvertiser(serve: ServeRunner, ledger: Ledger, sender: number): Promise<void> {
  const closing = new Load({
    endpoint: serve.url,
    clients: 1,
    batch: LOAD_ADVERTISERS.length * 2,
    ledger,
    firstSender: sender,
  });
  await closing.stop(DRAIN_GRACE_MS);
}

/** `clickstream summaries` with a corrupt file: it names the file and still prints the others. */
/** Cuts the corrupted advertiser's day files short (found by content: the store names its files as it likes). */
async function corruptSummaryFiles(dataDir: string): Promise<string[]> {
  const corrupted: string[] = [];
  for (const path of await filesUnder(join(dataDir, 'summaries'))) {
    if (!/^\d{4}-\d{2}-\d{2}\.json$/.test(basename(path))) continue;
    if ((await readFile(path, 'utf8')).includes(`"${CORRUPTED_ADVERTISER}"`)) {
      await writeFile(path, `[{"advertiser_id": "${CORRUPTED_ADVERTISER}", "window_st`);
      corrupted.push(path);
    }
  }
  return corrupted;
}

/** `clickstream summaries` on a stopped data dir with a corrupt file: it names the file and still prints the others. */
async function checkSummariesCommand(phase: PhaseReport, dataDir: string): Promise<void> {
  const corrupt = await corruptSummaryFiles(dataDir);
  const result = await promisify(execFile)(
    process.execPath,
    [CLI, 'summaries', '--data-dir', dataDir, '--format', 'json'],
    {
      maxBuffer: 256 * 1024 * 1024,
    },
  ).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    }),
  );
  const names = corrupt.map((p) => relative(dataDir, p));
  const named = names.some((name) => result.stderr.includes(name) || result.stderr.includes(basename(name)));
  let others = 0;
  try {
    others = (JSON.parse(result.stdout) as unknown[]).length;
  } catch {
    others = 0;
  }
  phase.check(
    '`clickstream summaries` names a corrupt summary file and prints the rest',
    named && others > 0,
    `exit ${result.code}, ${named ? 'names' : 'does not name'} ${names[0]}, printed ${count(others)} summaries${named ? '' : `; stderr: ${result.stderr.trim().split('\n')[0]?.slice(0, 160)}`}`,
  );
}

function summaryProblem(output: string): string {
  const line = output.split('\n').find((l) => /summar/i.test(l) && /fail|error/i.test(l));
  return line === undefined ? 'nothing about summaries' : JSON.stringify(line.slice(0, 200));
}

function summariseTemporaries(files: readonly TemporaryFile[], dataDir: string, serveTmp: string): string {
  const inTmp = files.filter((f) => f.path.startsWith(`${serveTmp}/`)).length;
  const inDataDir = files.filter((f) => f.path.startsWith(`${dataDir}/`)).length;
  return `${count(inDataDir)} in the data dir, ${count(inTmp)} in the serve's TMPDIR`;
}
