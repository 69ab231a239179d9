import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { createTracker, type TrackInput } from '../../tracker';
import type { FlushReport, PipelineStats } from './local-pipeline';
import type { PipelineConnection } from './pipeline-connection';

export type ReplayProgress =
  | { phase: 'sending'; lines: number; bytesRead: number; totalBytes: number }
  /** Everything is sent; the endpoint delivers what it holds, then the summaries are computed. */
  | { phase: 'delivering'; pending: number };

export interface ReplayReport {
  /** Non-empty lines read from the file. */
  lines: number;
  /** Events the tracker took and sent. */
  sent: number;
  /** Of those, the events the endpoint acknowledged to this replay's own requests. */
  acknowledged: number;
  /** Lines never sent: not JSON, or refused by the tracker's validation, by reason. */
  refused: Record<string, number>;
  /** Events the tracker could not deliver after its retries, by error code. */
  undelivered: Record<string, number>;
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

export interface ReplayOptions {
  file: string;
  connection: PipelineConnection;
  /** Called every `progressEvery` lines, at the end of the file, then every second while delivery goes on. */
  onProgress?: (progress: ReplayProgress) => void;
  /** @default 5000 */
  progressEvery?: number;
}

// Events the tracker may hold before the replay waits for it to drain (its queue refuses past its bound).
const MAX_BUFFERED_EVENTS = 20_000;

/**
 * Sends an NDJSON file through the real tracker SDK to a local endpoint, waits until the tracker
 * and the endpoint have delivered everything, computes the summaries of the windows touched, and
 * reports what happened to every line.
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
  const undelivered: Record<string, number> = {};
  const tracker = createTracker({
    deliveryStreamName: connection.streamName,
    client,
    onError: (events) => {
      for (const { error } of events) increment(undelivered, error.code);
    },
  });
  const refused: Record<string, number> = {};
  const totalBytes = (await stat(options.file)).size;
  const progress = { phase: 'sending' as const, lines: 0, bytesRead: 0, totalBytes };
  const every = options.progressEvery ?? 5000;
  let sent = 0;
  try {
    const input = createReadStream(options.file);
    for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      progress.bytesRead += Buffer.byteLength(line) + 1;
      if (line.trim().length === 0) continue;
      progress.lines += 1;
      const event = parseLine(line);
      if (typeof event === 'string') {
        increment(refused, event);
      } else {
        const result = tracker.track(event);
        if (result.ok) sent += 1;
        else increment(refused, result.reason);
      }
      if (progress.lines % every === 0)
        options.onProgress?.({ ...progress, bytesRead: Math.min(progress.bytesRead, totalBytes) });
      const { queued, inFlight } = tracker.stats();
      if (queued + inFlight >= MAX_BUFFERED_EVENTS) await tracker.flush();
    }
    await tracker.close();
  } finally {
    client.destroy();
  }
  options.onProgress?.({ ...progress, bytesRead: totalBytes });
  const flushed = await whileReporting(connection, connection.flush(), options.onProgress);
  const pipeline = difference(flushed.stats, before);
  const acknowledged = tracker.stats().delivered;
  return {
    lines: progress.lines,
    sent,
    acknowledged,
    refused,
    undelivered,
    pipeline,
    // A record the tracker re-sent after a lost reply is accepted twice: counted here too, which
    // errs towards not calling the endpoint's numbers the replay's own.
    otherRecords: Math.max(0, pipeline.accepted - acknowledged) + before.pending,
    summaries: flushed.summaries,
    elapsedMs: performance.now() - started,
  };
}

const DELIVERY_PROGRESS_MS = 1_000;

/** Reports the records still to deliver every second until `work` settles. */
async function whileReporting<T>(
  connection: PipelineConnection,
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

/** An event to track, or why the line is not one. */
function parseLine(line: string): TrackInput | 'invalid_json' | 'not_an_object' {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'invalid_json';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not_an_object';
  // The tracker validates the event against the contract before it takes it.
  return value as TrackInput;
}

function difference(after: PipelineStats, before: PipelineStats): PipelineStats {
  return {
    accepted: after.accepted - before.accepted,
    delivered: after.delivered - before.delivered,
    dropped: after.dropped - before.dropped,
    failed: after.failed - before.failed,
    failedByReason: countsAdded(after.failedByReason, before.failedByReason),
    duplicates: after.duplicates - before.duplicates,
    deadLettered: countsAdded(after.deadLettered, before.deadLettered),
    unreadableSpoolLines: after.unreadableSpoolLines - before.unreadableSpoolLines,
    pending: after.pending,
  };
}

function countsAdded(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const added: Record<string, number> = {};
  for (const [reason, count] of Object.entries(after)) {
    const delta = count - (before[reason] ?? 0);
    if (delta > 0) added[reason] = delta;
  }
  return added;
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
