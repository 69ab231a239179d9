import { stat } from 'node:fs/promises';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { PUT_RECORD_BATCH_LIMITS } from '../../contract';
import { type ReadTrafficLine, readTrafficFile } from '../traffic/traffic-file';
import type { FlushReport, LocalPipelineOptions, PipelineStats } from './local-pipeline';
import { startLocalPipeline, statsSince } from './local-pipeline';
import { SimulatedClock } from './pipeline-clock';
import type { PipelineConnection } from './pipeline-connection';
import { type RecordRewrites, type RewriteCounts, recordRewriter } from './record-rewrites';
import { RecordSender } from './record-sender';

/**
 * `timed`: each record arrives at its recorded arrival time, on a simulated clock that the whole
 * pipeline runs on. `as-now`: every record arrives when it is sent.
 */
export type ReplayMode = 'timed' | 'as-now';

export type ReplayProgress =
  | {
      phase: 'sending';
      lines: number;
      bytesRead: number;
      totalBytes: number;
      /** A timed replay's clock: the arrival time reached. */
      clock?: number;
    }
  /** Everything is sent; the endpoint delivers what it holds, then the summaries are computed. */
  | { phase: 'delivering'; pending: number };

export interface ReplayReport {
  mode: ReplayMode;
  /** Lines read from the file: each is a record. */
  lines: number;
  /** Records sent (every line, but for those in `notSent`). */
  sent: number;
  /** Of those, the records the endpoint (or, timed, the delivery stream) acknowledged. */
  acknowledged: number;
  /** Lines never sent, by reason: `record_too_large` (over Firehose's record limit, which its API refuses). */
  notSent: Record<string, number>;
  /** Records changed before they were sent (only with the rewrite options). */
  rewritten: RewriteCounts;
  /** Records sent and not acknowledged after the retries, by error code. */
  undelivered: Record<string, number>;
  /** A timed replay's arrivals. */
  arrivals?: ArrivalReport;
  /**
   * What the pipeline did while the replay ran, whoever sent the records (its counters'
   * difference): the replay's own outcomes only when `otherRecords` is 0.
   */
  pipeline: PipelineStats;
  /**
   * Records that were not this replay's among those `pipeline` counts: accepted from other clients
   * while it ran, or waiting for delivery when it began.
   */
  otherRecords: number;
  /** Summaries computed for the windows the replay touched. */
  summaries: FlushReport['summaries'];
  elapsedMs: number;
}

export interface ArrivalReport {
  /** The first and last arrival times replayed (epoch millis). */
  first: number;
  last: number;
  /** Lines with no arrival time: they arrived with the line before. */
  untimed: number;
  /** Lines timed before the line above them: they arrived with it (the clock never goes back). */
  outOfOrder: number;
}

interface CommonOptions extends RecordRewrites {
  file: string;
  /** Called every `progressEvery` lines, at the end of the file, then every second while delivery goes on. */
  onProgress?: (progress: ReplayProgress) => void;
  /** @default 5000 */
  progressEvery?: number;
}

export interface ReplayOptions extends CommonOptions {
  connection: PipelineConnection;
}

/**
 * Sends a traffic file's records, each as recorded (its arrival time, if any, is ignored: every
 * record arrives now), in PutRecordBatch requests to a local endpoint; waits until the endpoint has
 * delivered everything, computes the summaries of the windows touched, and reports what happened
 * to every line.
 */
export async function replayFile(options: ReplayOptions): Promise<ReplayReport> {
  const started = performance.now();
  const { connection } = options;
  const before = await connection.stats();
  const client = new FirehoseClient({
    endpoint: connection.endpointUrl,
    region: connection.region,
    // The local endpoint accepts any credentials; these keep the SDK from looking for real ones.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const sender = new RecordSender(client, connection.streamName);
  const { rewrite, counts } = recordRewriter(options);
  const reading = new Reading(options);
  await reading.init();
  let sent = 0;
  const notSent: Record<string, number> = {};
  try {
    for await (const line of readTrafficFile(options.file)) {
      reading.read(line);
      if (await sender.send(withNewline(rewrite(line.record, Date.now())))) sent += 1;
      else increment(notSent, 'record_too_large');
    }
    await sender.flush();
  } finally {
    client.destroy();
  }
  reading.end();
  const flushed = await whileReporting(connection, connection.flush(), options.onProgress);
  const pipeline = statsSince(flushed.stats, before);
  return {
    mode: 'as-now',
    lines: reading.lines,
    sent,
    acknowledged: sender.acknowledged,
    notSent,
    rewritten: counts,
    undelivered: sender.undelivered,
    pipeline,
    // A record re-sent after a lost reply is accepted twice: counted here too, which errs towards
    // not calling the endpoint's numbers the replay's own.
    otherRecords: Math.max(0, pipeline.accepted - sender.acknowledged) + before.pending,
    summaries: flushed.summaries,
    elapsedMs: performance.now() - started,
  };
}

export interface TimedReplayOptions extends CommonOptions {
  /** The pipeline to start in this process (its clock is the replay's). */
  pipeline: Omit<LocalPipelineOptions, 'clock'>;
  /**
   * Where the clock stops after the last record (when later): the scheduled work up to then runs
   * (buffers delivered, summary runs) before the final flush. @default the last arrival
   */
  until?: number;
  /** Called with the pipeline once it has started, before any record is sent. */
  onStarted?: (pipeline: { endpointUrl: string; streamName: string }) => void;
}

// Records put into the stream before the replay waits for their spool writes.
const MAX_PENDING_PUTS = 2_000;

/**
 * Replays a traffic file as it happened: starts the pipeline in this process on a simulated clock
 * and puts each record into the delivery stream at its recorded arrival time. Whatever falls due
 * on the way runs at its own time (a buffer delivered when its interval ends, a summary run on its
 * schedule), so windows open, turn provisional and become final as they did, in seconds. The lines
 * must be in arrival order (the generator writes them so); one with no arrival time, or timed
 * before the line above it, arrives with that line. A file whose first line has no arrival time
 * starts the clock now.
 */
export async function replayTimedFile(options: TimedReplayOptions): Promise<ReplayReport> {
  const started = performance.now();
  const lines = readTrafficFile(options.file)[Symbol.asyncIterator]();
  const first = await lines.next();
  const start = first.done ? (options.until ?? Date.now()) : (first.value.arrivedAt ?? Date.now());
  const clock = new SimulatedClock(start);
  const pipeline = await startLocalPipeline({ ...options.pipeline, clock });
  options.onStarted?.(pipeline);
  const { rewrite, counts } = recordRewriter(options);
  const reading = new Reading(options, clock.now);
  await reading.init();
  const arrivals: ArrivalReport = { first: start, last: start, untimed: 0, outOfOrder: 0 };
  const notSent: Record<string, number> = {};
  const undelivered: Record<string, number> = {};
  let sent = 0;
  let acknowledged = 0;
  let puts: Promise<void>[] = [];
  const settle = async () => {
    await Promise.all(puts);
    puts = [];
  };
  try {
    for (let next = first; !next.done; next = await lines.next()) {
      const line = next.value;
      reading.read(line);
      if (line.arrivedAt === undefined) arrivals.untimed += 1;
      else if (line.arrivedAt < clock.now()) arrivals.outOfOrder += 1;
      else if (line.arrivedAt > clock.now()) {
        // The work due first (a buffer sealed) must hold the records put before it.
        if (clock.hasWorkDueBy(line.arrivedAt)) await settle();
        await clock.advanceTo(line.arrivedAt);
      }
      const data = withNewline(rewrite(line.record, clock.now()));
      if (data.length > PUT_RECORD_BATCH_LIMITS.maxRecordBytes) {
        increment(notSent, 'record_too_large');
        continue;
      }
      sent += 1;
      puts.push(
        pipeline.putRecords([data]).then(
          () => {
            acknowledged += 1;
          },
          (error: unknown) => increment(undelivered, errorCode(error)),
        ),
      );
      if (puts.length >= MAX_PENDING_PUTS) await settle();
    }
    await settle();
    arrivals.last = clock.now();
    reading.end();
    if (options.until !== undefined) await clock.advanceTo(options.until);
    const flushed = await whileReporting(
      { stats: async () => pipeline.stats() },
      pipeline.flush({ summaries: 'scheduled' }),
      options.onProgress,
    );
    return {
      mode: 'timed',
      lines: reading.lines,
      sent,
      acknowledged,
      notSent,
      rewritten: counts,
      undelivered,
      arrivals,
      pipeline: flushed.stats,
      otherRecords: Math.max(0, flushed.stats.accepted - acknowledged),
      summaries: flushed.summaries,
      elapsedMs: performance.now() - started,
    };
  } finally {
    await settle().catch(() => undefined);
    await pipeline.close();
  }
}

/** Counts the lines read and reports progress. */
class Reading {
  lines = 0;
  private bytesRead = 0;
  private totalBytes = 0;

  constructor(
    private readonly options: CommonOptions,
    private readonly clock?: () => number,
  ) {}

  async init(): Promise<void> {
    this.totalBytes = (await stat(this.options.file)).size;
  }

  read(line: ReadTrafficLine): void {
    this.lines += 1;
    this.bytesRead = line.bytesRead;
    if (this.lines % (this.options.progressEvery ?? 5000) === 0) this.report();
  }

  end(): void {
    this.bytesRead = this.totalBytes;
    this.report();
  }

  private report(): void {
    this.options.onProgress?.({
      phase: 'sending',
      lines: this.lines,
      bytesRead: Math.min(this.bytesRead, this.totalBytes),
      totalBytes: this.totalBytes,
      ...(this.clock === undefined ? {} : { clock: this.clock() }),
    });
  }
}

const DELIVERY_PROGRESS_MS = 1_000;

/** Reports the records still to deliver every second until `work` settles. */
async function whileReporting<T>(
  connection: Pick<PipelineConnection, 'stats'>,
  work: Promise<T>,
  onProgress: ((progress: ReplayProgress) => void) | undefined,
): Promise<T> {
  if (onProgress === undefined) return work;
  const report = () =>
    connection.stats().then(
      ({ pending }) => onProgress({ phase: 'delivering', pending }),
      () => undefined,
    );
  await report();
  const timer = setInterval(report, DELIVERY_PROGRESS_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** A record as a tracker sends it: one line, ending in a newline. */
function withNewline(record: Buffer): Buffer {
  return Buffer.concat([record, NEWLINE]);
}
const NEWLINE = Buffer.from('\n');

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string')
    return error.code;
  return error instanceof Error ? error.name : 'UnknownError';
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
