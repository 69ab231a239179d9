// The tracker's hot path: track() per event (validation, id, serialisation, queueing) and sustained
// events/s through batching into a client that answers at once, against the targets.
import { availableParallelism, loadavg } from 'node:os';
import type { PutRecordBatchCommand, PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import { validateWireEvent } from '../contract';
import { createEventIdSource } from '../tracker/event-id';
import { createTracker, type PutRecordBatchClient, type TrackInput } from '../tracker/index';
import type { BenchSuite } from './suites';
import { collectGarbage, median, timeRuns } from './timing';

const TARGET_TRACK_US = 2;
const TARGET_EVENTS_PER_S = 200_000;
const WARMUP_RUNS = 3;
const MEASURED_RUNS = 7;
const RUNS = { warmup: WARMUP_RUNS, measured: MEASURED_RUNS };
const EVENTS_PER_RUN = 50_000;
const POOL_SIZE = 1000;

/** Answers every PutRecordBatch at once with success: the tracker's own cost is what is left. */
function instantClient(): PutRecordBatchClient {
  const answers = new Map<number, PutRecordBatchCommandOutput>();
  return {
    async send(command: PutRecordBatchCommand) {
      const count = command.input.Records?.length ?? 0;
      let answer = answers.get(count);
      if (answer === undefined) {
        answer = {
          $metadata: {},
          FailedPutCount: 0,
          RequestResponses: Array.from({ length: count }, (_, i) => ({ RecordId: `r${i}` })),
        };
        answers.set(count, answer);
      }
      return answer;
    },
  };
}

const SHAPES: Record<string, (i: number) => TrackInput> = {
  // The four required fields; the tracker fills event_id and sent_at.
  minimal: (i) => ({
    event_type: 'click',
    advertiser_id: `adv-${i % 40}`,
    event_time: 1_795_000_000_000 + i,
  }),
  // What an ad server sends for an impression: ids, page, browser, address and one property.
  typical: (i) => ({
    event_type: 'impression',
    advertiser_id: `adv-${i % 40}`,
    event_time: new Date(1_795_000_000_000 + i * 7).toISOString(),
    campaign_id: `cmp-${i % 300}`,
    ad_id: `ad-${i % 2000}`,
    user_id: `user-${i}`,
    url: `https://www.shop.example/products/${i % 500}?ref=feed`,
    user_agent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    ip: `203.0.${i % 256}.${(i * 7) % 256}`,
    properties: { slot: i % 2 === 0 ? 'top' : 'feed' },
  }),
};

/** Events one PutRecordBatch request carries: a server's queue drains in requests of this size. */
const REQUEST_RECORDS = 500;

/**
 * µs per track() alone, in bursts of `burst` events; the delivery after each burst is not timed.
 * A burst of one request's worth is what a busy server sees (its queue drains request by request);
 * a burst of a whole run also pays for collecting every event the tracker holds until the flush.
 */
async function trackMicros(events: TrackInput[], burst: number): Promise<{ wall: number; cpu: number }> {
  const tracker = createTracker({ deliveryStreamName: 'bench', client: instantClient() });
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < WARMUP_RUNS + MEASURED_RUNS; run++) {
    collectGarbage();
    let wallNs = 0n;
    let cpuMicros = 0;
    for (let tracked = 0; tracked < EVENTS_PER_RUN; tracked += burst) {
      const start = process.hrtime.bigint();
      const startCpu = process.cpuUsage();
      for (let i = tracked; i < tracked + burst; i++) tracker.track(events[i % events.length]!);
      const usedCpu = process.cpuUsage(startCpu);
      wallNs += process.hrtime.bigint() - start;
      cpuMicros += usedCpu.user + usedCpu.system;
      await tracker.flush();
    }
    if (run >= WARMUP_RUNS) {
      wall.push(Number(wallNs) / 1e3 / EVENTS_PER_RUN);
      cpu.push(cpuMicros / EVENTS_PER_RUN);
    }
  }
  await tracker.close();
  const { refused, failed } = tracker.stats();
  if (refused + failed > 0) throw new Error(`bench events were refused (${refused}) or failed (${failed})`);
  return { wall: median(wall), cpu: median(cpu) };
}

/** Events per second from track() to confirmed delivery, yielding to the event loop per request. */
async function sustainedEventsPerSecond(events: TrackInput[]): Promise<{ wall: number; cpu: number }> {
  const tracker = createTracker({ deliveryStreamName: 'bench', client: instantClient() });
  const timing = await timeRuns(RUNS, async () => {
    for (let i = 0; i < EVENTS_PER_RUN; i++) {
      tracker.track(events[i % events.length]!);
      if (i % 500 === 499) await new Promise(setImmediate);
    }
    await tracker.flush();
  });
  await tracker.close();
  if (tracker.stats().delivered !== (WARMUP_RUNS + MEASURED_RUNS) * EVENTS_PER_RUN) {
    throw new Error('not every bench event was delivered');
  }
  return { wall: EVENTS_PER_RUN / timing.wallSeconds, cpu: EVENTS_PER_RUN / timing.cpuSeconds };
}

/** CPU µs per call of one step of track(), over the same events. */
async function stepMicros(events: unknown[], step: (event: unknown) => unknown): Promise<number> {
  const timing = await timeRuns(RUNS, () => {
    for (let i = 0; i < EVENTS_PER_RUN; i++) step(events[i % events.length]);
  });
  return (timing.cpuSeconds * 1e6) / EVENTS_PER_RUN;
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);

export const trackerBench: BenchSuite = {
  name: 'tracker',
  async run() {
    console.log(
      `${EVENTS_PER_RUN} events per run, ${WARMUP_RUNS} warm-up + ${MEASURED_RUNS} measured runs, medians; client answers at once`,
    );
    // Other processes competing for the cores inflate every number below; say how busy the machine was.
    console.log(`load average (1 min) ${fmt(loadavg()[0] ?? 0)} on ${availableParallelism()} cores`);
    const newId = createEventIdSource();
    for (const [shape, make] of Object.entries(SHAPES)) {
      const events = Array.from({ length: POOL_SIZE }, (_, i) => make(i));
      // Filled the way track() fills them (a copy, then two fields), so that V8 gives them the same shape.
      const filled = events.map((event) => {
        const copy: Record<string, unknown> = Object.assign({}, event);
        copy.event_id = newId(1_795_000_000_000);
        copy.sent_at = 1_795_000_000_000;
        return copy;
      });
      const bytes = Buffer.byteLength(`${JSON.stringify(filled[0])}\n`);
      const track = await trackMicros(events, REQUEST_RECORDS);
      const held = await trackMicros(events, EVENTS_PER_RUN);
      const perSecond = await sustainedEventsPerSecond(events);
      const validate = await stepMicros(filled, validateWireEvent);
      const serialise = await stepMicros(filled, (event) => Buffer.from(`${JSON.stringify(event)}\n`));
      const id = await stepMicros(filled, () => newId(Date.now()));
      const rest = track.cpu - validate - serialise - id;
      console.log(`\n${shape} event (${bytes} bytes on the wire)`);
      console.log(
        `  track()      ${fmt(track.cpu)} µs CPU/event (${fmt(track.wall)} µs wall) in bursts of ${REQUEST_RECORDS}, flushed between bursts   target < ${TARGET_TRACK_US} µs: ${fmt(track.cpu / TARGET_TRACK_US)}x the target ${track.cpu < TARGET_TRACK_US ? '(met)' : '(missed)'}`,
      );
      console.log(
        `               ${fmt(held.cpu)} µs CPU/event (${fmt(held.wall)} µs wall) in one burst of ${EVENTS_PER_RUN.toLocaleString('en')}, all held until the flush`,
      );
      console.log(
        `  sustained    ${Math.round(perSecond.cpu).toLocaleString('en')} events per CPU second (${Math.round(perSecond.wall).toLocaleString('en')}/s wall)   target > ${TARGET_EVENTS_PER_S.toLocaleString('en')}: ${fmt(perSecond.cpu / TARGET_EVENTS_PER_S)}x the target ${perSecond.cpu > TARGET_EVENTS_PER_S ? '(met)' : '(missed)'}`,
      );
      console.log(
        `  steps, CPU µs/event: validation ${fmt(validate)} (${fmt((validate / track.cpu) * 100, 0)}% of track), serialisation (JSON.stringify, Buffer.from) ${fmt(serialise)} (${fmt((serialise / track.cpu) * 100, 0)}%), event_id ${fmt(id)} (${fmt((id / track.cpu) * 100, 0)}%), the rest (track() in bursts minus these steps: copy, queueing, collecting garbage) ${fmt(rest)} (${fmt((rest / track.cpu) * 100, 0)}%)`,
      );
    }
  },
};
