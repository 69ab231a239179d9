import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { DEFAULT_STREAM_NAME } from '../../local/pipeline/local-pipeline';
import type { Ledger, LoadEvent } from './ledger';
import { sleep } from './serve-runner';

export interface LoadOptions {
  endpoint: string;
  clients: number;
  /** Records per PutRecordBatch. */
  batch: number;
  ledger: Ledger;
  /** The ledger's sender number of the first client (another load on the same ledger starts after the first's). @default 0 */
  firstSender?: number;
}

/** An acknowledged request: when it was answered and how long it took (ms). */
export interface Acknowledgement {
  at: number;
  latencyMs: number;
  records: number;
}

export interface LoadFigures {
  acked: number;
  /** Records whose fate is unknown: their request failed and the load stopped before a resend was answered. */
  unknown: number;
  requests: number;
  /** Failed requests by error name (a kill shows as connection errors, a full backlog as ServiceUnavailableException). */
  errors: Record<string, number>;
}

/** Loads not stopped yet: a phase that ends early leaves them to `abandonLoads`. */
const active = new Set<Load>();

/** Stops every load still running (a phase ended early): no more sends, no resends. */
export async function abandonLoads(): Promise<void> {
  await Promise.all([...active].map((load) => load.stop(0)));
}

const RETRY_DELAYS_MS = [100, 250, 500, 1_000, 2_000];
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Concurrent Firehose clients, each the real SDK sending PutRecordBatch in a loop, as a tracker
 * does: a request that fails (the endpoint was killed, or refused with 503) is sent again with the
 * same event_ids after a backoff, and only the entries the endpoint did not acknowledge are resent.
 * The SDK's own retries are off, so every acknowledgement is seen here and goes to the ledger.
 */
export class Load {
  readonly acknowledgements: Acknowledgement[] = [];
  private readonly errors: Record<string, number> = {};
  private readonly examples = new Map<string, string>();
  private requests = 0;
  private acked = 0;
  private generating = true;
  private deadline = Number.POSITIVE_INFINITY;
  private readonly unanswered = new Set<string>();
  private readonly running: Promise<void>[];

  constructor(private readonly options: LoadOptions) {
    this.running = Array.from({ length: options.clients }, (_, i) =>
      this.client((options.firstSender ?? 0) + i),
    );
    active.add(this);
  }

  /** Stops making new events; each client resends what it holds until acknowledged or `graceMs` passed. */
  async stop(graceMs: number): Promise<LoadFigures> {
    this.generating = false;
    this.deadline = Date.now() + graceMs;
    await Promise.all(this.running);
    active.delete(this);
    return this.figures();
  }

  figures(): LoadFigures {
    return {
      acked: this.acked,
      unknown: this.unanswered.size,
      requests: this.requests,
      errors: { ...this.errors },
    };
  }

  private async client(sender: number): Promise<void> {
    const client = new FirehoseClient({
      endpoint: this.options.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
      // A request to a wedged endpoint must not hang the run.
      requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS },
    });
    try {
      while (this.generating) {
        const now = Date.now();
        const events = Array.from({ length: this.options.batch }, () =>
          this.options.ledger.next(sender, now),
        );
        await this.sendUntilAcknowledged(client, events);
      }
    } finally {
      client.destroy();
    }
  }

  private async sendUntilAcknowledged(client: FirehoseClient, events: LoadEvent[]): Promise<void> {
    let pending = events;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (Date.now() > this.deadline) {
        for (const event of pending) this.unanswered.add(event.event_id);
        return;
      }
      for (const event of pending) this.options.ledger.sent(event.event_id);
      const started = performance.now();
      this.requests += 1;
      try {
        const answer = await client.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: DEFAULT_STREAM_NAME,
            Records: pending.map((event) => ({ Data: Buffer.from(`${JSON.stringify(event)}\n`) })),
          }),
        );
        const responses = answer.RequestResponses ?? [];
        const refused: LoadEvent[] = [];
        pending.forEach((event, i) => {
          if (responses[i]?.RecordId !== undefined && responses[i]?.ErrorCode === undefined) {
            this.options.ledger.acked(event.event_id);
            this.unanswered.delete(event.event_id);
            this.acked += 1;
          } else {
            refused.push(event);
            this.count(responses[i]?.ErrorCode ?? 'entry without RecordId');
          }
        });
        if (refused.length === 0) {
          this.acknowledgements.push({
            at: Date.now(),
            latencyMs: performance.now() - started,
            records: pending.length,
          });
        }
        pending = refused;
      } catch (error) {
        for (const event of pending) this.unanswered.add(event.event_id);
        this.count(errorName(error), error);
      }
      if (pending.length > 0) await sleep(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!);
    }
  }

  private count(name: string, error?: unknown): void {
    this.errors[name] = (this.errors[name] ?? 0) + 1;
    if (error !== undefined && !this.examples.has(name))
      this.examples.set(name, error instanceof Error ? error.message : String(error));
  }

  /** One message of each kind of failed request. */
  errorExamples(): Record<string, string> {
    return Object.fromEntries(this.examples);
  }
}

/** A short name for a failed request: the AWS error's name, or the socket error's code. */
function errorName(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code ?? `${error.name}: ${error.message.slice(0, 50)}`;
}

/** p-th percentile (0-100) of latencies by nearest rank; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
