// The transform handler on a Firehose-sized batch, against a floor measured in the same run:
// base64-decoding and JSON.parse-ing the same records, the least any transform must do.
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { validateWireEvent, type WireEvent } from '../contract';
import { readTransformConfig } from '../lambdas/transform/config';
import { decodeRecord } from '../lambdas/transform/decode-record';
import { type EventTimes, eventTimes, isRefusal, UtcFormatter } from '../lambdas/transform/event-times';
import { createEnrichers, type Enrichers, storedEventLine } from '../lambdas/transform/stored-event';
import { base64OfUtf8 } from '../lambdas/transform/transform-batch';
import type { BenchSuite } from './suites';
import { collectGarbage, median } from './timing';

/** Firehose's Lambda invocation payload limit (6 MB), which bounds one batch. */
const BATCH_BYTES = 6_000_000;
/** The major of the transform Lambda's runtime (lib/lambda-function.ts). */
const LAMBDA_NODE_MAJOR = '24';
/** About 150 records a second: a 6 MB batch spans a minute of arrivals. */
const ARRIVAL_SPACING_MS = 7;
const WARMUP_RUNS = 3;
const MEASURED_RUNS = 7;

// Real traffic repeats a few dozen user agents; these are common ones, plus two crawlers.
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70',
  'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
];
const HOSTS = ['www.shop.example', 'news.example.org', 'm.travel.example.com', 'blog.example.net'];
const PATHS = ['/', '/products/42', '/cart', '/checkout/confirm', '/articles/2026/11/launch', '/search'];
const EVENT_TYPES = ['impression', 'impression', 'impression', 'click', 'pageview', 'conversion'];

/** A small seeded generator, so every run measures the same batch. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function realisticEvent(next: () => number, index: number, arrivalMs: number): WireEvent {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const eventType = pick(EVENT_TYPES);
  // Sent within two seconds of happening, arriving up to two minutes later (queues, retries).
  const eventMs = arrivalMs - Math.floor(next() * 120_000);
  const hex = (n: number) =>
    Math.floor(next() * 16 ** n)
      .toString(16)
      .padStart(n, '0');
  return {
    event_id: `${hex(8)}-${hex(4)}-7${hex(3)}-${hex(4)}-${hex(8)}${index.toString(16).padStart(4, '0')}`,
    event_type: eventType,
    advertiser_id: `adv-${Math.floor(next() * 40)}`,
    event_time: new Date(eventMs).toISOString(),
    campaign_id: `cmp-${Math.floor(next() * 300)}`,
    url: `https://${pick(HOSTS)}${pick(PATHS)}?id=${Math.floor(next() * 1000)}`,
    user_agent: pick(USER_AGENTS),
    ip: `${Math.floor(next() * 223) + 1}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}`,
    sent_at: eventMs + Math.floor(next() * 2000),
    ...(eventType === 'conversion' ? { revenue: Math.round(next() * 20000) / 100, currency: 'EUR' } : {}),
    properties: { slot: pick(['top', 'side', 'feed']) },
  };
}

/**
 * A Firehose event of realistic records filling one invocation payload. Firehose buffers what
 * arrives over its buffering interval, so the records' arrival times are spread over about a
 * minute, each in its own millisecond.
 */
export function realisticBatch(startMs = Date.UTC(2026, 10, 22, 8)): FirehoseTransformationEvent {
  const next = random(42);
  const records: FirehoseTransformationEvent['records'] = [];
  let bytes = 0;
  for (let i = 0; bytes < BATCH_BYTES; i++) {
    const arrivalMs = startMs + i * ARRIVAL_SPACING_MS;
    const data = Buffer.from(`${JSON.stringify(realisticEvent(next, i, arrivalMs))}\n`).toString('base64');
    const record = {
      recordId: `${i.toString().padStart(12, '0')}000000000000`,
      approximateArrivalTimestamp: arrivalMs,
      data,
    };
    bytes += JSON.stringify(record).length + 1;
    records.push(record);
  }
  return {
    invocationId: 'bench',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/clickstream',
    region: 'eu-west-1',
    records,
  };
}

function floor(event: FirehoseTransformationEvent): number {
  let fields = 0;
  for (const record of event.records) {
    const value = JSON.parse(Buffer.from(record.data, 'base64').toString('utf8')) as Record<string, unknown>;
    fields += Object.keys(value).length;
  }
  return fields;
}

/** What each step of the handler takes as input, computed once, outside the timed runs. */
interface StepInputs {
  data: string[];
  parsed: unknown[];
  events: WireEvent[];
  arrivals: number[];
  times: EventTimes[];
  plainStrings: boolean[];
  lines: string[];
}

function stepInputs(event: FirehoseTransformationEvent, enrichers: Enrichers): StepInputs {
  const inputs: StepInputs = {
    data: [],
    parsed: [],
    events: [],
    arrivals: [],
    times: [],
    plainStrings: [],
    lines: [],
  };
  const formatter = new UtcFormatter();
  for (const record of event.records) {
    const decoded = decodeRecord(record.data);
    if (!decoded.ok) throw new Error(`bench record ${record.recordId} does not decode`);
    const validation = validateWireEvent(decoded.value);
    if (!validation.ok) throw new Error(`bench record ${record.recordId} is invalid: ${validation.message}`);
    const times = eventTimes(
      validation.event,
      record.approximateArrivalTimestamp,
      formatter,
      enrichers.config,
    );
    if (isRefusal(times)) throw new Error(`bench record ${record.recordId} is refused: ${times.message}`);
    inputs.data.push(record.data);
    inputs.parsed.push(decoded.value);
    inputs.events.push(validation.event);
    inputs.arrivals.push(record.approximateArrivalTimestamp);
    inputs.times.push(times);
    inputs.plainStrings.push(decoded.plainStrings);
    inputs.lines.push(storedEventLine(validation.event, times, enrichers, decoded.plainStrings));
  }
  return inputs;
}

const DECODE_STEP = 'decode (strict base64, UTF-8 check, JSON.parse)';
const VALIDATE_STEP = 'validateWireEvent';

/**
 * The handler's per-record steps (transformRecord, then the result's base64), in its order, each
 * timed alone over its inputs. Each discards its output, so what the handler pays for keeping every
 * output until the batch returns (more garbage collection) falls to "the rest".
 */
function steps(inputs: StepInputs, enrichers: Enrichers): Record<string, () => unknown> {
  const { data, parsed, events, arrivals, times, plainStrings, lines } = inputs;
  const limits = enrichers.config;
  return {
    [DECODE_STEP]: () => {
      for (const item of data) decodeRecord(item);
    },
    [VALIDATE_STEP]: () => {
      for (const value of parsed) validateWireEvent(value);
    },
    'eventTimes (parse, check and format the times)': () => {
      const formatter = new UtcFormatter();
      events.forEach((wire, i) => {
        eventTimes(wire, arrivals[i] ?? 0, formatter, limits);
      });
    },
    'de-duplication by event_id': () => {
      const seenEventIds = new Set<string>();
      for (const wire of events) seenEventIds.add(wire.event_id);
    },
    'storedEventLine (the stored JSON line, user-agent and URL caches)': () => {
      events.forEach((wire, i) => {
        storedEventLine(wire, times[i] as EventTimes, enrichers, plainStrings[i] ?? false);
      });
    },
    'base64 of the output line': () => {
      for (const line of lines) base64OfUtf8(line);
    },
  };
}

/**
 * Median seconds of each named run. The runs alternate (a, b, c, a, b, c, ...) so that a change in
 * the machine's load during the bench touches all of them alike.
 */
async function timeInterleaved(runs: Record<string, () => unknown>): Promise<Record<string, number>> {
  const seconds: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((name) => [name, []]));
  for (let i = 0; i < WARMUP_RUNS + MEASURED_RUNS; i++) {
    for (const [name, run] of Object.entries(runs)) {
      collectGarbage();
      const start = process.hrtime.bigint();
      await run();
      const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
      if (i >= WARMUP_RUNS) seconds[name]?.push(elapsed);
    }
  }
  return Object.fromEntries(Object.entries(seconds).map(([name, values]) => [name, median(values)]));
}

function silenceObservability(): void {
  // The bench measures the transform, not log and metric output (as the local pipeline runs it).
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
}

const MEMORY_PROBE_FLAG = '--transform-memory-probe';

/**
 * Peak memory of one batch, measured in a fresh process so that nothing else the bench did
 * counts: the resident set's high-water mark during the handler call, over the resident set
 * once the batch is built (the batch itself is reported separately).
 */
async function memoryProbe(): Promise<void> {
  silenceObservability();
  const { handler } = await import('../lambdas/transform/handler');
  const event = realisticBatch();
  collectGarbage();
  const rssBefore = process.memoryUsage.rss();
  const heapBefore = process.memoryUsage().heapUsed;
  await handler(event);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const heapAfter = process.memoryUsage().heapUsed;
  process.stdout.write(JSON.stringify({ rssBefore, peakRss, heapGrowth: heapAfter - heapBefore }));
}

function measureMemoryInChild(): { rssBefore: number; peakRss: number; heapGrowth: number } | undefined {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), MEMORY_PROBE_FLAG],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (child.status !== 0) {
    console.log(`memory probe failed: ${child.stderr.trim().split('\n').slice(-3).join(' ')}`);
    return undefined;
  }
  return JSON.parse(child.stdout);
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export const transformBench: BenchSuite = {
  name: 'transform',
  async run() {
    silenceObservability();
    const { handler } = await import('../lambdas/transform/handler');
    const event = realisticBatch();
    const count = event.records.length;
    const payloadBytes = JSON.stringify(event).length;
    const meanRecordBytes =
      event.records.reduce((sum, r) => sum + Buffer.byteLength(r.data, 'base64'), 0) / count;
    // Other work on the machine moves both numbers; the ratio, measured in the same run, moves least.
    console.log(`load average (1 min) ${(loadavg()[0] ?? 0).toFixed(1)} on ${availableParallelism()} cores`);
    if (process.versions.node.split('.')[0] !== LAMBDA_NODE_MAJOR) {
      console.log(
        `the transform Lambda runs Node.js ${LAMBDA_NODE_MAJOR}; \`npm run bench:lambda-node transform\` measures on it`,
      );
    }
    console.log(
      `batch: ${count} records, ${mb(payloadBytes)} invocation payload, ${meanRecordBytes.toFixed(0)} bytes per event`,
    );

    const result = await handler(event);
    const ok = result.records.filter((r) => r.result === 'Ok').length;
    console.log(`outcomes: ${ok} Ok of ${count} (the batch is all valid, so anything else is a bug)`);

    // The steps are timed with their own enrichers, warmed like the handler's by the warm-up runs.
    const enrichers = createEnrichers(readTransformConfig(process.env));
    const stepRuns = steps(stepInputs(event, enrichers), enrichers);
    // For comparison: serialising the stored records as objects, which the handler does not do.
    const stored = result.records.map((r) =>
      JSON.parse(Buffer.from(r.data ?? '', 'base64').toString('utf8')),
    );
    const seconds = await timeInterleaved({
      floor: () => floor(event),
      handler: () => handler(event),
      ...stepRuns,
      stringify: () => {
        for (const value of stored) JSON.stringify(value);
      },
    });
    const floors = (name: string) => (seconds[name] ?? Number.NaN) / (seconds.floor ?? Number.NaN);
    const rate = (name: string) => count / (seconds[name] ?? Number.NaN);
    console.log(
      `floor (base64 decode + JSON.parse): ${Math.round(rate('floor')).toLocaleString('en')} records/s`,
    );
    console.log(
      `handler:                            ${Math.round(rate('handler')).toLocaleString('en')} records/s`,
    );
    console.log(
      `ratio handler/floor: ${((rate('handler') / rate('floor')) * 100).toFixed(0)}% (target >= 60%); medians of ${MEASURED_RUNS} interleaved runs after ${WARMUP_RUNS} warm-up runs`,
    );
    console.log("where the handler's time goes, in floors (each step timed alone over the batch):");
    const row = (value: number, label: string) => console.log(`  ${value.toFixed(2).padStart(5)}  ${label}`);
    let stepsTotal = 0;
    for (const step of Object.keys(stepRuns)) {
      stepsTotal += floors(step);
      row(floors(step), step);
    }
    const handlerFloors = floors('handler');
    row(
      handlerFloors - stepsTotal,
      'the rest: result records and tally, and the garbage collection of keeping every output until the batch returns',
    );
    row(handlerFloors, 'the handler as a whole');
    const decodeAndValidate = floors(DECODE_STEP) + floors(VALIDATE_STEP);
    console.log(
      `60% of the floor means the handler in at most ${(1 / 0.6).toFixed(2)} floors; decoding and validating alone take ${decodeAndValidate.toFixed(2)}, ` +
        `leaving ${(1 / 0.6 - decodeAndValidate).toFixed(2)} for everything else, which takes ${(handlerFloors - decodeAndValidate).toFixed(2)} now`,
    );
    console.log(
      `for comparison, JSON.stringify of the stored records as objects: ${floors('stringify').toFixed(2)} floors`,
    );

    const memory = measureMemoryInChild();
    if (memory !== undefined) {
      console.log(
        `peak memory for one batch: ${mb(memory.peakRss - memory.rssBefore)} over the resident set with the batch loaded (${mb(memory.rssBefore)} -> peak ${mb(memory.peakRss)}); heap growth ${mb(memory.heapGrowth)}`,
      );
    }
  },
};

if (process.argv.includes(MEMORY_PROBE_FLAG)) await memoryProbe();
