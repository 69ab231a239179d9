import { join } from 'node:path';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { FAILURE_REASONS, validateStoredEvent } from '../../contract';
import { freePort } from '../../engines/process';
import type { PipelineStats } from '../../local/pipeline/local-pipeline';
import { DEFAULT_STREAM_NAME } from '../../local/pipeline/local-pipeline';
import { BAD_INPUTS, type BadInput, type Expectation, goodEvent, type InputContext } from './bad-inputs';
import { count, type PhaseReport, type Report, table } from './checks';
import { forEachLakeLine, indexedEventCounts, lakeFailures } from './data-dir-scan';
import { summariesOver } from './delivery-check';
import type { HostileOptions } from './options';
import { ServeRunner } from './serve-runner';

const FLUSH_LIMIT_MS = 30_000;
const STOP_LIMIT_MS = 60_000;
// Far enough back for 2000-01-01 (the contract's first instant) to be an acceptable age.
const HISTORY_ENV = { MAX_EVENT_AGE_DAYS: '10000' };

/** One kind of bad input sent once, and what became of it and of the good records around it. */
interface Trial {
  input: BadInput;
  number: number;
  goods: string[];
  /** The record's data as sent (record kinds), to find it under errors/. */
  data?: Buffer;
  dataDir: string;
  outcome: string;
  /** Why the outcome breaks the expectation or an invariant; empty when it held. */
  problems: string[];
}

/** A serve on its own data dir, with a client, and one event it already delivered. */
interface Target {
  serve: ServeRunner;
  client: FirehoseClient;
  delivered: Record<string, unknown>;
}

/**
 * Each kind of the catalogue in its own PutRecordBatch between two good records (or, for what the
 * SDK would never send, a raw request followed by a good batch), then a Flush: the counters say
 * what became of the bad record, and the stopped data dirs say whether the good ones were
 * delivered once and summarised, whether refused ones are under errors/, and whether every stored
 * event obeys the contract.
 */
export async function badInputs(report: Report, _options: HostileOptions, root: string): Promise<void> {
  const phase = report.phase('inputs', `${BAD_INPUTS.length} kinds of bad input, each between good records`);
  const trials: Trial[] = [];
  const dataDirs: { dataDir: string; history: boolean }[] = [];
  for (const history of [false, true]) {
    const inputs = BAD_INPUTS.filter((input) => (input.history ?? false) === history);
    let target: Target | undefined;
    for (const input of inputs) {
      if (target === undefined) {
        const dataDir = join(root, `inputs-${dataDirs.length}`);
        dataDirs.push({ dataDir, history });
        target = await openTarget(dataDir, history);
      }
      const trial = await runTrial(target, input, trials.length, dataDirs.at(-1)!.dataDir);
      trials.push(trial);
      if (trial.outcome === 'STOPPED DELIVERY') {
        // The record stays in that spool and would stop the next start too: go on in a fresh data dir.
        phase.note(`${input.kind}: delivery stopped; the next kinds go to a fresh data dir`);
        await target.serve.kill();
        target.client.destroy();
        target = undefined;
      }
    }
    if (target !== undefined) {
      target.client.destroy();
      const exit = await target.serve.stop('SIGTERM', STOP_LIMIT_MS);
      if (exit === 'timeout') await target.serve.kill();
    }
  }
  for (const { dataDir, history } of dataDirs) {
    await inspectDataDir(
      phase,
      dataDir,
      history,
      trials.filter((t) => t.dataDir === dataDir),
    );
  }
  for (const trial of trials) judge(trial);

  console.log(
    `\n${table([
      ['#', 'input', 'expected', 'outcome', ''],
      ...trials.map((t) => [
        String(t.number),
        t.input.kind,
        t.input.expect,
        t.outcome,
        t.problems.length === 0 ? 'ok' : `FAIL: ${t.problems.join('; ')}`,
      ]),
    ])}\n`,
  );
  const failing = trials.filter((t) => t.problems.length > 0);
  const stopped = trials.filter((t) => t.outcome === 'STOPPED DELIVERY');
  const goodsMissing = trials.filter((t) => t.problems.some((p) => p.startsWith('good record')));
  phase.figure(
    'inputs tried',
    `${count(trials.length)} kinds; outcomes: ${tally(trials.map((t) => t.outcome.split(':')[0] ?? t.outcome))}`,
  );
  phase.check(
    'no bad input stops delivery',
    stopped.length === 0,
    stopped.length === 0 ? 'none did' : stopped.map((t) => t.input.kind).join('; '),
  );
  phase.check(
    'every good record around a bad one is delivered exactly once',
    goodsMissing.length === 0,
    goodsMissing.length === 0
      ? `${count(trials.length * 2)} good records`
      : goodsMissing.map((t) => t.input.kind).join('; '),
  );
  phase.check(
    'every bad input has its expected, typed outcome',
    failing.length === 0,
    failing.length === 0
      ? `${count(trials.length)} kinds`
      : `${failing.length} kinds did not: ${failing.map((t) => `${t.input.kind} (${t.problems.join(', ')})`).join('; ')}`,
  );
}

async function openTarget(dataDir: string, history: boolean): Promise<Target> {
  const serve = new ServeRunner({
    dataDir,
    port: await freePort(),
    env: history ? HISTORY_ENV : {},
    logPrefix: `${dataDir}-serve`,
  });
  await serve.start();
  const client = new FirehoseClient({
    endpoint: serve.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { requestTimeout: FLUSH_LIMIT_MS },
  });
  const delivered = goodEvent(`warm-${dataDir.slice(-1)}-${Date.now()}`, Date.now());
  await putRecords(client, [encode(delivered)]);
  if ((await serve.flush(FLUSH_LIMIT_MS)) === 'timeout')
    throw new Error(`${dataDir}: the first good event was not delivered`);
  return { serve, client, delivered };
}

async function runTrial(target: Target, input: BadInput, number: number, dataDir: string): Promise<Trial> {
  const now = Date.now();
  const goods = [`good-${number}-a`, `good-${number}-b`];
  const [first, second] = goods.map((id) => goodEvent(id, now)) as [
    Record<string, unknown>,
    Record<string, unknown>,
  ];
  const context: InputContext = {
    id: `bad-${number}`,
    now,
    delivered: target.delivered,
    firstGood: first,
  };
  const trial: Trial = { input, number, goods, dataDir, outcome: '', problems: [] };
  const before = await target.serve.stats();
  let endpointOutcome: string | undefined;
  if (input.record !== undefined) {
    trial.data = input.record(context);
    try {
      const entries = await putRecords(target.client, [encode(first), trial.data, encode(second)]);
      const refused = entries.filter((e) => e !== undefined);
      if (entries[1] !== undefined) endpointOutcome = `endpoint-refused: ${entries[1]}`;
      if (refused.length > (entries[1] === undefined ? 0 : 1))
        trial.problems.push(`good record refused by the endpoint (${refused.join(', ')})`);
    } catch (error) {
      endpointOutcome = `endpoint-refused: ${error instanceof Error ? error.name : String(error)}`;
      await putRecords(target.client, [encode(first), encode(second)]);
    }
  } else if (input.request !== undefined) {
    endpointOutcome = await rawRequest(target.serve.url, input.request(context));
    await putRecords(target.client, [encode(first), encode(second)]);
  }
  const flushed = await target.serve.flush(FLUSH_LIMIT_MS).catch((error: unknown) => String(error));
  if (typeof flushed === 'string' && flushed !== 'timeout') {
    trial.outcome = `FLUSH FAILED: ${flushed.slice(0, 200)}`;
    trial.problems.push('Flush failed');
    return trial;
  }
  if (flushed === 'timeout') {
    trial.outcome = 'STOPPED DELIVERY';
    return trial;
  }
  trial.outcome = endpointOutcome ?? outcomeOf(difference(flushed.stats, before));
  if (endpointOutcome !== undefined) {
    const delta = difference(flushed.stats, before);
    if (delta.delivered !== 2 || delta.failed !== 0) trial.problems.push(`good records: ${describe(delta)}`);
  }
  return trial;
}

/** Counters that moved between two Stats answers. */
interface Delta {
  delivered: number;
  failed: number;
  dropped: number;
  duplicates: number;
  reasons: Record<string, number>;
}

function difference(after: PipelineStats, before: PipelineStats): Delta {
  const reasons: Record<string, number> = {};
  for (const [reason, n] of Object.entries(after.failedByReason)) {
    const moved = n - (before.failedByReason[reason] ?? 0);
    if (moved > 0) reasons[reason] = moved;
  }
  return {
    delivered: after.delivered - before.delivered,
    failed: after.failed - before.failed,
    dropped: after.dropped - before.dropped,
    duplicates: after.duplicates - before.duplicates,
    reasons,
  };
}

function outcomeOf(delta: Delta): string {
  const reasons = Object.keys(delta.reasons).join(', ');
  if (delta.failed === 1 && delta.delivered === 2 && delta.dropped === 0) return `refused: ${reasons}`;
  // The lake took it, the index refused it: dead-lettered after delivery.
  if (delta.failed === 1 && delta.delivered === 3) return `dead-lettered by the index: ${reasons}`;
  if (delta.dropped === 1 && delta.delivered === 2 && delta.failed === 0) return 'dropped';
  if (delta.delivered === 3 && delta.duplicates === 1 && delta.failed === 0) return 'duplicate, counted once';
  if (delta.delivered === 3 && delta.failed === 0 && delta.dropped === 0) return 'delivered';
  return `UNEXPECTED: ${describe(delta)}`;
}

function describe(delta: Delta): string {
  return `delivered ${delta.delivered}, failed ${delta.failed}${Object.keys(delta.reasons).length > 0 ? ` (${JSON.stringify(delta.reasons)})` : ''}, dropped ${delta.dropped}, duplicates ${delta.duplicates}`;
}

const TYPED_REASONS: readonly string[] = FAILURE_REASONS;

/** Adds a problem when the outcome is not what the kind expects. */
function judge(trial: Trial): void {
  const { outcome } = trial;
  const refused =
    outcome.startsWith('refused: ') && TYPED_REASONS.includes(outcome.slice('refused: '.length));
  const deadLettered =
    outcome.startsWith('dead-lettered by the index: ') &&
    outcome.length > 'dead-lettered by the index: '.length;
  const delivered = outcome === 'delivered';
  const accepted: Record<Expectation, boolean> = {
    refused: refused || deadLettered,
    'refused-or-repaired': refused || deadLettered || delivered,
    'refused-or-valid': refused || deadLettered || delivered,
    valid: delivered,
    'endpoint-refused': outcome.startsWith('endpoint-refused: '),
    dropped: outcome === 'dropped',
    duplicate: outcome === 'duplicate, counted once',
  };
  if (!accepted[trial.input.expect]) trial.problems.unshift(`expected ${trial.input.expect}`);
}

/**
 * Reads a stopped data dir: the good records in the index exactly once, refused records under
 * errors/, every stored event valid against the contract with well-formed text, and the summaries
 * equal to the index's counts.
 */
async function inspectDataDir(
  phase: PhaseReport,
  dataDir: string,
  history: boolean,
  trials: readonly Trial[],
): Promise<void> {
  const { counts, byAdvertiserWindow } = await indexedEventCounts(dataDir);
  const deadLettered = new Set((await lakeFailures(dataDir)).map((f) => f.record.rawData));
  const byNumber = new Map(trials.map((t) => [t.number, t]));
  let invalidStored = 0;
  await forEachLakeLine(dataDir, 'events', (stored, raw) => {
    const problem = storedProblem(stored);
    if (problem === undefined) return;
    invalidStored += 1;
    const id = (stored as { event_id?: unknown } | undefined)?.event_id;
    const number = /bad-(\d+)/i.exec(typeof id === 'string' ? id : raw)?.[1];
    const trial = number === undefined ? undefined : byNumber.get(Number(number));
    if (trial !== undefined) trial.problems.push(`stored form breaks the contract: ${problem}`);
    else phase.note(`a stored event breaks the contract (${problem}): ${raw.slice(0, 120)}`);
  });
  for (const trial of trials) {
    if (trial.outcome === 'STOPPED DELIVERY') continue;
    const missing = trial.goods.filter((id) => counts.get(id) !== 1);
    if (missing.length > 0) trial.problems.push(`good record not indexed once: ${missing.join(', ')}`);
    if (
      trial.outcome.startsWith('refused: ') &&
      trial.data !== undefined &&
      !deadLettered.has(trial.data.toString('base64'))
    ) {
      trial.problems.push('refused but not under errors/');
    }
  }
  if (invalidStored > 0) phase.note(`${dataDir}: ${invalidStored} stored events break the contract`);
  if (!history) await checkInputSummaries(phase, dataDir, byAdvertiserWindow);
}

/** Stored summaries of the recent windows equal the index's counts (the history data dir's windows are years old). */
async function checkInputSummaries(
  phase: PhaseReport,
  dataDir: string,
  indexed: Map<string, Map<number, number>>,
): Promise<void> {
  const recent = Date.now() - 2 * 3_600_000;
  const now = Date.now();
  const wrong: string[] = [];
  let windows = 0;
  for (const [advertiserId, byWindow] of indexed) {
    const starts = [...byWindow.keys()].filter((s) => s >= recent && s <= now);
    if (starts.length === 0) continue;
    const stored = await summariesOver(dataDir, advertiserId, starts);
    if (typeof stored === 'string') {
      if (wrong.length < 5) wrong.push(`${advertiserId}: ${stored}`);
      continue;
    }
    for (const start of starts) {
      windows += 1;
      const want = byWindow.get(start) ?? 0;
      const got = stored.get(start)?.events ?? 0;
      if (got !== want)
        wrong.push(`${advertiserId} ${new Date(start).toISOString()}: ${got} (index ${want})`);
    }
  }
  phase.check(
    'summaries of the inputs run equal the index (duplicates counted once)',
    wrong.length === 0,
    wrong.length === 0 ? `${windows} windows` : wrong.slice(0, 5).join('; '),
  );
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const C1_CONTROL = /[\u0080-\u009f]/;

/** Why a stored line breaks the contract, or undefined when it obeys it. */
function storedProblem(stored: unknown): string | undefined {
  if (stored === undefined) return 'not JSON';
  const validation = validateStoredEvent(stored);
  if (!validation.ok) return `${validation.reason} ${validation.field ?? ''}`.trim();
  const texts: string[] = [];
  collectText(stored, texts);
  if (texts.some((text) => LONE_SURROGATE.test(text))) return 'text with a lone surrogate';
  const id = (stored as { event_id: string }).event_id;
  if (C1_CONTROL.test(id)) return 'event_id with a C1 control character';
  return undefined;
}

function collectText(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectText(item, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      into.push(key);
      collectText(item, into);
    }
  }
}

function encode(event: Record<string, unknown>): Buffer {
  return Buffer.from(`${JSON.stringify(event)}\n`);
}

/** PutRecordBatch; resolves with each entry's error code (undefined when acknowledged). */
async function putRecords(client: FirehoseClient, records: Buffer[]): Promise<(string | undefined)[]> {
  const answer = await client.send(
    new PutRecordBatchCommand({
      DeliveryStreamName: DEFAULT_STREAM_NAME,
      Records: records.map((Data) => ({ Data })),
    }),
  );
  return records.map((_, i) => {
    const entry = answer.RequestResponses?.[i];
    return entry?.RecordId !== undefined && entry.ErrorCode === undefined
      ? undefined
      : (entry?.ErrorCode ?? 'no RecordId');
  });
}

async function rawRequest(url: string, request: { target?: string; body: string | Buffer }): Promise<string> {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
  const target = request.target ?? 'Firehose_20150804.PutRecordBatch';
  if (target !== '') headers['x-amz-target'] = target;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: request.body,
      signal: AbortSignal.timeout(FLUSH_LIMIT_MS),
    });
    const text = await response.text();
    const type = (JSON.parse(text) as { __type?: string }).__type;
    return response.status >= 400 && type !== undefined
      ? `endpoint-refused: ${type}`
      : `endpoint answered ${response.status}: ${text.slice(0, 80)}`;
  } catch (error) {
    return `endpoint dropped the connection: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function tally(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, n]) => `${value} ${n}`).join(', ');
}
