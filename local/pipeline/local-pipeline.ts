import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Clock } from '../../lambdas/aggregator/ports';
import { createTransformHandler } from '../../lambdas/transform/handler';
import { LocalDatabase } from '../duckdb/database';
import { DuckDbEventIndex } from '../event-index/duckdb-event-index';
import type { EventSink, LocalEventIndex } from '../event-index/local-event-index';
import { connectOpenSearchEventIndex } from '../event-index/opensearch-node';
import { startFirehoseEndpoint } from '../firehose-endpoint/server';
import { LakeDirectory } from '../lake/lake-directory';
import { createDashboardRoutes } from '../server/dashboard-routes';
import { LiveHub } from '../server/live-hub';
import { LiveSummaryStore } from '../server/live-summary-store';
import { localDashboardPorts } from '../server/local-ports';
import { requestGuard } from '../server/request-guard';
import { tailEvents } from '../server/tail-events';
import { FileSummaryStore } from '../summary-store/file-summary-store';
import { dataDirLayout, isLocalStreamName, lockDataDir, removeTemporaryFiles } from './data-dir';
import type { DeliveryReport } from './delivery';
import { DeliverySummaries } from './delivery-summaries';
import {
  type Backlog,
  type BufferingHints,
  DEFAULT_BUFFERING,
  deliveryStreamArn,
  LocalDeliveryStream,
} from './local-delivery-stream';
import { type PipelineClock, pipelineClock } from './pipeline-clock';
import { Spool } from './spool';
import { type BackfillOutcome, SummaryWorker, type TouchedWindows, touch } from './summary-worker';
import type { TransformHandler } from './transform-invoker';
import { UnsummarisedWindows } from './unsummarised-windows';

export const DEFAULT_STREAM_NAME = 'clickstream-events';
export const DEFAULT_SUMMARY_INTERVAL_SECONDS = 5;
export const DEFAULT_LATENESS_HORIZON_MINUTES = 180;
export const DEFAULT_DRAIN_TIMEOUT_SECONDS = 10;

export interface LocalPipelineOptions {
  dataDir: string;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** @default 'clickstream-events' */
  streamName?: string;
  /** @default 1 MiB / 5 s */
  buffering?: BufferingHints;
  /** Seconds between summary runs; 0 for on demand only. @default 5 */
  summaryIntervalSeconds?: number;
  /** @default 180 */
  latenessHorizonMinutes?: number;
  /**
   * How long close() keeps trying to deliver what was accepted before it stops and leaves the
   * rest in the spool for the next start. @default 10
   */
  drainTimeoutSeconds?: number;
  /** @default 'us-east-1' */
  region?: string;
  /**
   * Base URL of an OpenSearch node to use as the event index instead of DuckDB (no credentials:
   * a node on loopback). It is set up at start as the custom resource sets up the domain.
   */
  openSearchUrl?: string;
  /**
   * Arrival times, buffer deadlines and summary runs follow it: a time function (with Node's
   * timers), or a PipelineClock such as a timed replay's SimulatedClock. @default Date.now
   */
  clock?: Clock | PipelineClock;
  /** The processor; the real transform Lambda's handler (reporting its refusal reasons) unless a test replaces it. */
  transform?: TransformHandler;
  /** Problems worth a line on stderr (a delivery retried, a summary run failed). */
  onProblem?: (message: string) => void;
  /** Each delivered buffer (records recovered from the spool included). */
  onDelivered?: (report: DeliveryReport) => void;
  /**
   * Summarise the windows each delivery touched as soon as it is delivered, besides the schedule:
   * what `serve` does, so that an open dashboard shows an accepted event within about a second
   * after its buffer is delivered (docs/live.md#freshness). @default false
   */
  summariseDeliveries?: boolean;
  /** The built dashboard the port serves at `/`. @default dashboard/dist/ */
  dashboardDir?: string;
}

/** Cumulative counts since the pipeline started. */
export interface PipelineStats {
  /** Records acknowledged to clients. */
  accepted: number;
  delivered: number;
  dropped: number;
  failed: number;
  failedByReason: Record<string, number>;
  /** Delivered events the index already held (sent twice): counted once in summaries. */
  duplicates: number;
  /**
   * Delivered events the event index refused, written to the lake's
   * `errors/AmazonOpenSearchService-failed/`, by reason (also counted in `failed`). On AWS these
   * are the documents behind a `DeliveryToAmazonOpenSearchService.Success` below 1.
   */
  deadLettered: Record<string, number>;
  /** Spool lines dropped at start because they could not be read (a line a crash cut off). */
  unreadableSpoolLines: number;
  /** Records acknowledged and not yet delivered. */
  pending: number;
}

/** What the pipeline did between two readings of its stats (`pending`: at the later one). */
export function statsSince(after: PipelineStats, before: PipelineStats): PipelineStats {
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

export interface FlushOptions {
  /**
   * Which windows the flush summarises. `touched` (the default): every window of the events
   * delivered since the last flush, however old, as a replay of a historical file needs.
   * `scheduled`: one summary run at the clock's time, as the schedule makes it (with the windows
   * delivered since the last run); a window that was final when an event arrived stays as it was,
   * and the event counts as late where it arrived.
   */
  summaries?: 'touched' | 'scheduled';
}

export interface FlushReport {
  stats: PipelineStats;
  summaries: BackfillOutcome;
}

export interface CloseReport {
  /** Accepted records not delivered within the drain timeout: in the spool, delivered on the next start. */
  left: Backlog;
  /** The final summary run over the windows delivered since the last run; absent when it failed. */
  summaries?: BackfillOutcome;
}

export interface LocalPipeline {
  readonly endpointUrl: string;
  /** The dashboard on the same port (`<endpointUrl>/`); docs/live.md lists its routes and `/live`. */
  readonly dashboardUrl: string;
  readonly streamName: string;
  readonly region: string;
  stats(): PipelineStats;
  /** Records acknowledged and not yet delivered, and their bytes. */
  backlog(): Backlog;
  /** Delivers every acknowledged record, then computes the summaries (see FlushOptions). */
  flush(options?: FlushOptions): Promise<FlushReport>;
  /**
   * Puts records into the delivery stream as the endpoint does, arriving at the clock's time: how
   * a timed replay sends, since Firehose's API cannot say when a record arrived.
   */
  putRecords(data: Buffer[]): Promise<string[]>;
  /**
   * Stops the endpoint, delivers what was acknowledged (for at most the drain timeout), summarises
   * every window delivered since the last summary run, stops the worker and releases the data dir.
   */
  close(): Promise<CloseReport>;
}

const ACCOUNT_ID = '000000000000';

/**
 * The whole product on one machine: a Firehose-compatible endpoint, a durable spool, the real
 * transform handler, the lake directory, the event index (DuckDB, or an OpenSearch node) and the
 * summary workers.
 */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const layout = dataDirLayout(options.dataDir);
  const streamName = options.streamName ?? DEFAULT_STREAM_NAME;
  if (!isLocalStreamName(streamName)) {
    throw new Error(
      `stream name ${JSON.stringify(streamName)} is not a delivery stream name: 1 to 64 letters, digits, '_', '.' or '-', not only dots`,
    );
  }
  const region = options.region ?? 'us-east-1';
  const problem = options.onProblem ?? (() => undefined);
  await mkdir(options.dataDir, { recursive: true });
  silenceLambdaTelemetry();
  const unlock = await lockDataDir(options.dataDir);
  const leftovers = await removeTemporaryFiles(options.dataDir);
  if (leftovers.length > 0) problem(`removed ${leftovers.length} temporary files a stopped run left`);
  // Run in reverse: the endpoint, delivery, the final summary run, the event index, the lock.
  const closers: (() => Promise<void> | void)[] = [unlock];
  const closed: CloseReport = { left: { records: 0, bytes: 0 } };
  let closing: Promise<CloseReport> | undefined;
  const closeAll = () => {
    closing ??= (async () => {
      for (const close of closers.reverse()) await close();
      return closed;
    })();
    return closing;
  };
  try {
    const time = pipelineClock(options.clock);
    const clock = time.now;
    const eventIndex = await openEventIndex(options.openSearchUrl, layout.eventIndex, closers, problem);
    const guard = requestGuard(options.host ?? '127.0.0.1');
    const live = new LiveHub({ allowRequest: guard });
    const files = new FileSummaryStore(options.dataDir);
    // Every window stored is pushed to the dashboards following its advertiser.
    const summaryStore = new LiveSummaryStore(files, live);
    const unsummarised = await UnsummarisedWindows.open(layout.unsummarised, problem);
    const worker = new SummaryWorker({
      eventIndex,
      summaryStore,
      clock: time,
      intervalSeconds: options.summaryIntervalSeconds ?? DEFAULT_SUMMARY_INTERVAL_SECONDS,
      latenessHorizonMinutes: options.latenessHorizonMinutes ?? DEFAULT_LATENESS_HORIZON_MINUTES,
      onError: (error) => problem(`summary run failed: ${messageOf(error)}`),
      unsummarised,
    });
    closers.push(async () => {
      try {
        closed.summaries = await worker.finish();
      } catch (error) {
        problem(`the final summary run failed (the next start makes it): ${messageOf(error)}`);
      }
    });
    const deliverySummaries = options.summariseDeliveries
      ? new DeliverySummaries(worker, (error) =>
          problem(`summary run of a delivery failed: ${messageOf(error)}`),
        )
      : undefined;
    if (deliverySummaries !== undefined) closers.push(() => deliverySummaries.stop());

    const stats: PipelineStats = {
      accepted: 0,
      delivered: 0,
      dropped: 0,
      failed: 0,
      failedByReason: {},
      duplicates: 0,
      deadLettered: {},
      unreadableSpoolLines: 0,
      pending: 0,
    };
    const touched: TouchedWindows = new Map();
    // The windows of delivered events are recorded before they are indexed, so that they are
    // summarised whenever the process stops.
    const index: EventSink = {
      indexEvents: async (events) => {
        const indexed = await unsummarised.record(worker.windowsOf(events));
        try {
          return await eventIndex.indexEvents(events);
        } finally {
          indexed();
          touch(touched, events);
        }
      },
    };
    const refusals = new Map<string, string>();
    const { spool, recovered, unreadableLines } = await Spool.open(layout.spool(streamName), {
      onProblem: problem,
    });
    stats.unreadableSpoolLines = unreadableLines;
    const stream = new LocalDeliveryStream({
      streamName,
      region,
      accountId: ACCOUNT_ID,
      createdAt: clock(),
      now: clock,
      clock: time,
      spool,
      recovered,
      buffering: options.buffering ?? DEFAULT_BUFFERING,
      lake: new LakeDirectory(layout.lake),
      index,
      refusals,
      transform: {
        handler:
          options.transform ??
          createTransformHandler({
            onRefused: (recordId, refusal) => refusals.set(recordId, refusal.reason),
          }),
        region,
        deliveryStreamArn: deliveryStreamArn({ region, accountId: ACCOUNT_ID, streamName }),
        lambdaArn: `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:clickstream-transform`,
      },
      outcomes: {
        wanted: () => live.wantsTail(),
        outcomes: (views) => {
          const { events, omitted } = tailEvents(views);
          live.publishEvents(events, omitted);
        },
      },
      onDelivered: (report) => {
        addReport(stats, report);
        deliverySummaries?.delivered(report.events);
        options.onDelivered?.(report);
      },
      onDeliveryError: (error) => problem(`delivery failed, retrying: ${messageOf(error)}`),
    });
    const drainMs = (options.drainTimeoutSeconds ?? DEFAULT_DRAIN_TIMEOUT_SECONDS) * 1000;
    closers.push(async () => {
      closed.left = await stream.close(drainMs);
    });
    worker.start();

    const flush = async (flushOptions: FlushOptions = {}): Promise<FlushReport> => {
      await stream.flush();
      const batch = new Map(touched);
      touched.clear();
      const summaries =
        flushOptions.summaries === 'scheduled' ? await worker.runNow() : await worker.backfill(batch);
      return { stats: snapshot(stats, stream), summaries };
    };
    const endpoint = await startFirehoseEndpoint({
      streams: [stream],
      host: options.host,
      port: options.port,
      accountId: ACCOUNT_ID,
      local: {
        Flush: async () => ({ ...(await flush()) }),
        Stats: async () => ({ ...snapshot(stats, stream) }),
        Describe: async () => ({ dataDir: resolve(options.dataDir), streamName }),
      },
      onInternalError: (error) => problem(`endpoint error: ${messageOf(error)}`),
      routes: createDashboardRoutes(
        localDashboardPorts({
          dataDir: options.dataDir,
          summaryStore,
          advertisers: () => files.advertisers(),
          clock,
          ...(options.dashboardDir === undefined ? {} : { staticDir: options.dashboardDir }),
          onError: (error) => problem(`dashboard route failed: ${messageOf(error)}`),
        }),
      ),
      upgrade: (request, socket, head) => live.handleUpgrade(request, socket, head),
      allowRequest: guard,
    });
    closers.push(() => endpoint.close());
    // First: an open WebSocket would keep the endpoint's server from closing.
    closers.push(() => live.close());

    return {
      endpointUrl: endpoint.url,
      dashboardUrl: `${endpoint.url}/`,
      streamName,
      region,
      stats: () => snapshot(stats, stream),
      backlog: () => stream.backlog,
      flush,
      putRecords: (data) => stream.put(data),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** DuckDB in the data dir, or the OpenSearch node at `openSearchUrl`; its closing joins `closers`. */
async function openEventIndex(
  openSearchUrl: string | undefined,
  duckDbFile: string,
  closers: (() => Promise<void> | void)[],
  warn: (message: string) => void,
): Promise<LocalEventIndex> {
  if (openSearchUrl !== undefined) {
    const connection = await connectOpenSearchEventIndex(openSearchUrl, warn);
    closers.push(() => connection.close());
    return connection.index;
  }
  const db = await LocalDatabase.open(duckDbFile);
  closers.push(() => db.close());
  return DuckDbEventIndex.open(db, { tempDir: dirname(duckDbFile) });
}

function addReport(stats: PipelineStats, report: DeliveryReport): void {
  stats.delivered += report.ok;
  stats.dropped += report.dropped;
  stats.failed += report.failed;
  stats.duplicates += report.duplicates;
  for (const [reason, count] of Object.entries(report.failedByReason)) {
    stats.failedByReason[reason] = (stats.failedByReason[reason] ?? 0) + count;
  }
  for (const [reason, count] of Object.entries(report.deadLettered)) {
    stats.deadLettered[reason] = (stats.deadLettered[reason] ?? 0) + count;
  }
}

function snapshot(stats: PipelineStats, stream: LocalDeliveryStream): PipelineStats {
  return {
    ...stats,
    failedByReason: { ...stats.failedByReason },
    deadLettered: { ...stats.deadLettered },
    accepted: stream.accepted,
    pending: stream.pending,
  };
}

/**
 * The transform handler publishes CloudWatch metrics (EMF lines) and logs each refused record on
 * stdout, as it should in Lambda. Locally those lines would bury the CLI's output, so unless the
 * user set these variables, metrics are off and the log level is ERROR.
 */
function silenceLambdaTelemetry(): void {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
