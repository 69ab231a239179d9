import { randomUUID } from 'node:crypto';
import { FirehoseApiError } from '../firehose-endpoint/api-error';
import type { DeliveryStreamTarget } from '../firehose-endpoint/operations';
import { type DeliveryReport, type DeliveryTargets, deliverToLake, indexDelivered } from './delivery';
import { type PipelineClock, systemClock } from './pipeline-clock';
import type { Segment, Spool, SpooledRecord } from './spool';

export interface BufferingHints {
  /** Flush once the buffered record data reaches this many bytes. */
  sizeBytes: number;
  /** Flush this long after the first record entered an empty buffer. */
  intervalMs: number;
}

/**
 * Small defaults so an open dashboard shows an accepted event within 2 s (docs/live.md#freshness):
 * a buffer is delivered at most 1 s after its first record, and `serve` summarises what a delivery
 * touched as it is delivered. Firehose's own minimums are 1 MiB / 0 s; the stack deploys 60 s.
 */
export const DEFAULT_BUFFERING: BufferingHints = { sizeBytes: 1024 * 1024, intervalMs: 1_000 };

export interface LocalDeliveryStreamOptions extends DeliveryTargets {
  spool: Spool;
  /** Segments a previous run left undelivered; delivered first. */
  recovered: Segment[];
  buffering: BufferingHints;
  region: string;
  accountId: string;
  createdAt: number;
  /** Undelivered bytes beyond which puts are refused with ServiceUnavailableException. @default 64 MiB */
  maxBacklogBytes?: number;
  onDelivered?: (report: DeliveryReport) => void;
  /** A delivery failed (the lake or the index); it is retried with backoff. */
  onDeliveryError?: (error: unknown) => void;
  /** Runs the buffer deadlines (on `now`'s time). @default Node's timers */
  clock?: PipelineClock;
}

const DEFAULT_MAX_BACKLOG_BYTES = 64 * 1024 * 1024;
const RETRY_DELAYS_MS = [500, 1_000, 2_000, 5_000, 10_000];

/** Records acknowledged and not yet delivered, and the bytes of their data. */
export interface Backlog {
  records: number;
  bytes: number;
}

/**
 * A Direct PUT delivery stream: records are spooled durably before they are acknowledged, buffered
 * by size and time, and delivered segment by segment in arrival order. A failed delivery is retried
 * with backoff until it succeeds, as Firehose retries an unavailable S3 bucket; while the backlog is
 * over its limit, new puts get ServiceUnavailableException and clients back off.
 */
export class LocalDeliveryStream implements DeliveryStreamTarget {
  readonly name: string;
  readonly arn: string;
  private readonly sealed: Segment[];
  private sealedBytes: number;
  /** Cancels the open buffer's delivery deadline. */
  private cancelDeadline: (() => void) | undefined;
  private delivering: Promise<void> | undefined;
  private sealing: Promise<void> = Promise.resolve();
  private closed = false;
  /** Set when a close gives up draining: no further delivery attempt starts. */
  private stopped = false;
  private wakeRetry: (() => void) | undefined;
  /** Records acknowledged since start (recovered ones included). */
  accepted: number;
  private readonly clock: PipelineClock;

  constructor(private readonly options: LocalDeliveryStreamOptions) {
    this.clock = options.clock ?? systemClock(options.now);
    this.name = options.streamName;
    this.arn = deliveryStreamArn(options);
    this.sealed = [...options.recovered];
    this.sealedBytes = this.sealed.reduce((sum, s) => sum + s.bytes, 0);
    this.accepted = this.sealed.reduce((sum, s) => sum + s.records.length, 0);
    if (this.sealed.length > 0) this.deliverBacklog();
  }

  async put(data: Buffer[]): Promise<string[]> {
    if (this.closed)
      throw new FirehoseApiError('ServiceUnavailableException', 'the local endpoint is shutting down');
    const undelivered = this.sealedBytes + this.options.spool.openBytes;
    if (undelivered > (this.options.maxBacklogBytes ?? DEFAULT_MAX_BACKLOG_BYTES)) {
      throw new FirehoseApiError('ServiceUnavailableException', 'Slow down.');
    }
    const arrivedAt = (this.options.now ?? Date.now)();
    const records: SpooledRecord[] = data.map((d) => ({ id: recordId(), arrivedAt, data: d }));
    // Set before the append is written: the deadline counts from the first record's arrival, on
    // the pipeline's clock, which a timed replay moves on while appends are being written.
    this.cancelDeadline ??= this.clock.at(arrivedAt + this.options.buffering.intervalMs, () =>
      this.deliverBuffer(),
    );
    try {
      await this.options.spool.append(records);
    } catch (error) {
      // Not the client's fault, and nothing was acknowledged: it may retry.
      this.options.onDeliveryError?.(error);
      throw new FirehoseApiError('ServiceUnavailableException', 'the records could not be stored; retry');
    }
    this.accepted += records.length;
    if (this.options.spool.openBytes >= this.options.buffering.sizeBytes) this.flushInBackground();
    return records.map((r) => r.id);
  }

  /** Delivers everything acknowledged so far, whatever the buffering hints say. */
  async flush(): Promise<void> {
    await this.sealAndDeliver();
    while (this.delivering !== undefined) await this.delivering;
  }

  /**
   * Stops accepting records and delivers what was accepted, trying for at most `drainMs`; then
   * starts no further attempt (one in progress ends first). Resolves with what is left, which stays
   * in the spool and is delivered on the next start.
   */
  async close(drainMs = Number.POSITIVE_INFINITY): Promise<Backlog> {
    this.closed = true;
    const flushed = this.flush();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      if (Number.isFinite(drainMs)) timer = setTimeout(resolve, drainMs);
    });
    try {
      await Promise.race([flushed, expired]);
    } catch (error) {
      // The open segment could not be sealed: its records stay in its file for the next start.
      this.options.onDeliveryError?.(error);
    }
    clearTimeout(timer);
    this.stopped = true;
    this.wakeRetry?.();
    await flushed.catch(() => undefined);
    await this.options.spool.close();
    return this.backlog;
  }

  get backlog(): Backlog {
    return { records: this.pending, bytes: this.sealedBytes + this.options.spool.openBytes };
  }

  /** Records acknowledged and not yet delivered. */
  get pending(): number {
    return this.sealed.reduce((sum, s) => sum + s.records.length, 0) + this.options.spool.openRecords;
  }

  describe(): Record<string, unknown> {
    const { buffering } = this.options;
    return {
      DeliveryStreamName: this.name,
      DeliveryStreamARN: this.arn,
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamType: 'DirectPut',
      VersionId: '1',
      CreateTimestamp: this.options.createdAt / 1000,
      Destinations: [
        {
          DestinationId: 'destinationId-000000000001',
          ExtendedS3DestinationDescription: {
            RoleARN: `arn:aws:iam::${this.options.accountId}:role/clickstream-local-delivery`,
            BucketARN: 'arn:aws:s3:::local-lake',
            Prefix: 'events/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/',
            ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
            BufferingHints: {
              SizeInMBs: buffering.sizeBytes / (1024 * 1024),
              IntervalInSeconds: buffering.intervalMs / 1000,
            },
            CompressionFormat: 'GZIP',
            EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
            ProcessingConfiguration: {
              Enabled: true,
              Processors: [
                {
                  Type: 'Lambda',
                  Parameters: [
                    { ParameterName: 'LambdaArn', ParameterValue: this.options.transform.lambdaArn },
                  ],
                },
              ],
            },
          },
        },
      ],
      HasMoreDestinations: false,
    };
  }

  private flushInBackground(): void {
    this.sealAndDeliver().catch((error: unknown) => this.options.onDeliveryError?.(error));
  }

  /**
   * The open buffer's deadline: seals and delivers it. Resolves once it is delivered (a
   * simulated clock waits for that before it moves on); failures are reported, never thrown.
   */
  private async deliverBuffer(): Promise<void> {
    this.cancelDeadline = undefined;
    try {
      await this.sealAndDeliver();
      while (this.delivering !== undefined) await this.delivering;
    } catch (error) {
      this.options.onDeliveryError?.(error);
    }
  }

  private async sealAndDeliver(): Promise<void> {
    this.cancelDeadline?.();
    this.cancelDeadline = undefined;
    // One seal after another: a flush waits for a seal under way, so it sees that segment too.
    const sealing = this.sealing.then(async () => {
      const segment = await this.options.spool.seal();
      if (segment !== undefined) {
        this.sealed.push(segment);
        this.sealedBytes += segment.bytes;
      }
    });
    this.sealing = sealing.catch(() => undefined);
    await sealing;
    this.deliverBacklog();
  }

  private deliverBacklog(): void {
    this.delivering ??= this.drain().finally(() => {
      this.delivering = undefined;
    });
  }

  private async drain(): Promise<void> {
    let failures = 0;
    while (this.sealed.length > 0 && !this.stopped) {
      try {
        await this.deliverSealed();
        failures = 0;
      } catch (error) {
        this.options.onDeliveryError?.(error);
        const delay = RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length - 1)]!;
        failures += 1;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wakeRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeRetry = undefined;
      }
    }
  }

  /**
   * Delivers the sealed segments oldest first, releasing each once it is in the lake and the index.
   * The index (DuckDB) works off the main thread, so while one segment is indexed the next one is
   * transformed and written to the lake. On a failure the segments not yet released are delivered
   * again from the oldest; their lake objects are replaced, not duplicated.
   */
  private async deliverSealed(): Promise<void> {
    let indexing: Promise<void> = Promise.resolve();
    try {
      for (let next = this.sealed[0]; next !== undefined && !this.stopped; ) {
        const segment = next;
        const report = await deliverToLake(segment, this.options);
        await indexing;
        indexing = this.indexAndRelease(segment, report);
        // Handled below (awaited); marked now so a failure while the next segment is
        // transformed is not an unhandled rejection.
        indexing.catch(() => undefined);
        next = this.sealed[this.sealed.indexOf(segment) + 1];
      }
    } finally {
      // Never leave an indexing step running unobserved; its failure is the one to report.
      await indexing;
    }
  }

  private async indexAndRelease(segment: Segment, report: DeliveryReport): Promise<void> {
    await indexDelivered(segment, report, {
      ...this.options,
      onIndexRetry: (error) => this.options.onDeliveryError?.(error),
    });
    await this.options.spool.release(segment);
    this.sealed.splice(this.sealed.indexOf(segment), 1);
    this.sealedBytes -= segment.bytes;
    this.options.onDelivered?.(report);
  }
}

export function deliveryStreamArn(where: { region: string; accountId: string; streamName: string }): string {
  return `arn:aws:firehose:${where.region}:${where.accountId}:deliverystream/${where.streamName}`;
}

// Firehose record ids are opaque strings; a UUID without dashes is unique and compact.
function recordId(): string {
  return randomUUID().replaceAll('-', '');
}
