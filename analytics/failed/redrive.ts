import { toUtcIso } from '../../contract';
import type { TransformConfig } from '../../lambdas/transform/config';
import type { ObjectStore } from '../../local/lake/object-store';
import type { ReadProblem } from './error-objects';
import { type FailedEventQuery, failedEvents, verdictsFor } from './failed-events';
import type { PutRecordsOutcome } from './firehose-sender';
import { loadRedriven, type RedriveEntry, recordDigest, recordRedriven } from './redrive-ledger';

export interface RedriveOptions {
  /** The bucket (locally the lake directory) holding `errors/` and the redrive record `redrive/`. */
  store: ObjectStore;
  query: Pick<FailedEventQuery, 'from' | 'to' | 'reason'>;
  /** The transform's configuration the records are judged by (that of the pipeline they go to). */
  config: TransformConfig;
  /**
   * Sends records to the delivery stream and names it (it is recorded with each record); absent
   * for a dry run, which sends and records nothing. Called only when there is something to send.
   */
  send?: (records: Buffer[]) => Promise<SentRecords>;
  /** Records sent per redrive-record object. @default 5000 */
  chunkRecords?: number;
  now?: () => number;
  onProgress?: (progress: RedriveProgress) => void;
  onProblem?: (problem: ReadProblem) => void;
}

export interface SentRecords extends PutRecordsOutcome {
  streamName: string;
}

export interface RedriveProgress {
  /** Failure records read so far. */
  read: number;
  /** Records sent and acknowledged so far (in a dry run: found that would be). */
  sent: number;
}

export interface RedriveReport {
  dryRun: boolean;
  /** Failure records the query selected. */
  read: number;
  /** Records Firehose acknowledged (in a dry run: records that would be sent). */
  sent: number;
  /** Records the transform would still refuse if sent now, by its reason now. */
  stillFailing: Record<string, number>;
  /** Records not sent, by why. */
  skipped: {
    /** In the redrive record: an earlier redrive sent the same bytes. */
    alreadyRedriven: number;
    /** The same bytes earlier in this run (the sender sent the event twice and both failed). */
    repeated: number;
    /** AmazonOpenSearchService-failed: the record is the transform's output, already in the lake; not resent (docs/failed-events.md). */
    refusedByIndex: number;
    /** Objects and lines of errors/ that could not be read. */
    unreadable: number;
  };
  /** Records Firehose did not acknowledge after its retries, by error code (a next redrive tries them again). */
  undelivered: Record<string, number>;
  /** Redrive-record objects written. */
  recordedIn: string[];
}

interface Candidate {
  data: Buffer;
  entry: Omit<RedriveEntry, 'redriven_at' | 'stream'>;
}

/**
 * Sends again the failed records that the transform would now accept: each processing-failed
 * record of the query is judged by the transform at the time of sending, under `config`. Records
 * are sent once however often they failed (same bytes), never when the redrive record says an
 * earlier run sent them, and each batch acknowledged is added to the record before the next is
 * sent, so a run stopped half way and run again sends only the rest. Should a batch be sent and
 * not recorded (a crash between the two), the event_id deduplication of the index and of the
 * curated lake still counts each event once.
 */
export async function redrive(options: RedriveOptions): Promise<RedriveReport> {
  const now = options.now ?? Date.now;
  const report: RedriveReport = {
    dryRun: options.send === undefined,
    read: 0,
    sent: 0,
    stillFailing: {},
    skipped: { alreadyRedriven: 0, repeated: 0, refusedByIndex: 0, unreadable: 0 },
    undelivered: {},
    recordedIn: [],
  };
  const problem = (found: ReadProblem) => {
    report.skipped.unreadable += 1;
    options.onProblem?.(found);
  };
  const redriven = await loadRedriven(options.store, (key, message) => options.onProblem?.({ key, message }));
  const verdicts = verdictsFor(options.config);
  const seen = new Set<string>();
  const chunkRecords = options.chunkRecords ?? 5000;
  let chunk: Candidate[] = [];

  const sendChunk = async () => {
    const candidates = chunk;
    chunk = [];
    if (candidates.length === 0) return;
    if (options.send === undefined) {
      report.sent += candidates.length;
      return;
    }
    const outcome = await options.send(candidates.map((c) => c.data));
    const sentAt = toUtcIso(now());
    const entries = outcome.delivered.map(
      (index): RedriveEntry => ({
        ...candidates[index]!.entry,
        redriven_at: sentAt,
        stream: outcome.streamName,
      }),
    );
    for (const { error } of outcome.undelivered) increment(report.undelivered, error.code);
    if (entries.length === 0) return;
    try {
      report.recordedIn.push(await recordRedriven(options.store, entries, now()));
    } catch (error) {
      throw new Error(
        `sent ${entries.length} records but could not add them to the redrive record (${error instanceof Error ? error.message : String(error)}); ` +
          'a next redrive sends them again, and their event_id keeps them counted once',
      );
    }
    report.sent += entries.length;
  };

  for await (const failed of failedEvents(options.store, options.query, verdicts, { onProblem: problem })) {
    report.read += 1;
    if (report.read % 1000 === 0) options.onProgress?.({ read: report.read, sent: report.sent });
    if (failed.errorOutputType !== 'processing-failed') {
      report.skipped.refusedByIndex += 1;
      continue;
    }
    const digest = recordDigest(failed.record.rawData);
    if (redriven.has(digest)) {
      report.skipped.alreadyRedriven += 1;
      continue;
    }
    if (seen.has(digest)) {
      report.skipped.repeated += 1;
      continue;
    }
    seen.add(digest);
    const refusal = verdicts.current.refusalOf(failed.record.rawData, now());
    if (refusal !== undefined) {
      increment(report.stillFailing, refusal.reason);
      continue;
    }
    const eventId = failed.event?.event_id;
    chunk.push({
      data: Buffer.from(failed.record.rawData, 'base64'),
      entry: {
        sha256: digest,
        ...(typeof eventId === 'string' ? { event_id: eventId } : {}),
        arrival_timestamp: failed.record.arrivalTimestamp,
      },
    });
    if (chunk.length >= chunkRecords) {
      await sendChunk();
      options.onProgress?.({ read: report.read, sent: report.sent });
    }
  }
  await sendChunk();
  options.onProgress?.({ read: report.read, sent: report.sent });
  return report;
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
