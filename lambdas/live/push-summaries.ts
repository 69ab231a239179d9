import type { Clock } from '../aggregator/ports';
import type { SummaryJson } from '../aggregator/summary';
import { forEachBounded } from '../shared/bounded';
import type { ConnectionPoster, ConnectionStore } from './ports';
import { encodeServerMessage, summaryMessage } from './protocol';

/** One stored summary from the table's stream, with the stream record that carried it. */
export interface SummaryChange {
  readonly sequenceNumber: string;
  readonly summary: SummaryJson;
}

export interface PushDeps {
  readonly store: ConnectionStore;
  readonly poster: ConnectionPoster;
  readonly clock: Clock;
  /** Posts in flight at once, over the whole batch. */
  readonly concurrency: number;
}

export interface FailedPost {
  readonly connectionId: string;
  readonly advertiserId: string;
  readonly error: string;
}

export interface PushOutcome {
  /** Stream records to retry (a lookup failed, or a post failed in a way a retry may fix). */
  readonly failedSequenceNumbers: string[];
  readonly sent: number;
  /** Posts to connections that had closed; each such connection is removed. */
  readonly gone: number;
  readonly failedPosts: FailedPost[];
  /** Closed connections whose removal failed (TTL removes them later). */
  readonly cleanupFailures: number;
}

interface WindowPush {
  readonly summary: SummaryJson;
  readonly message: string;
  readonly sequenceNumbers: string[];
  failed: boolean;
}

/**
 * Pushes each changed window to the connections subscribed to its advertiser. A batch may hold
 * several versions of one window (provisional updates): only the last is pushed, since a
 * dashboard replaces a window by its start. Subscribers are looked up once per advertiser; a
 * connection that is gone is sent nothing more and removed. A pushed summary may arrive twice (a
 * retried record), which is harmless for the same reason.
 */
export async function pushSummaries(changes: readonly SummaryChange[], deps: PushDeps): Promise<PushOutcome> {
  const windows = latestPerWindow(changes);
  const byAdvertiser = new Map<string, WindowPush[]>();
  for (const push of windows) {
    const advertiserId = push.summary.advertiser_id;
    byAdvertiser.set(advertiserId, [...(byAdvertiser.get(advertiserId) ?? []), push]);
  }
  const now = deps.clock();

  const posts: { push: WindowPush; connectionId: string }[] = [];
  for (const [advertiserId, pushes] of byAdvertiser) {
    try {
      const connectionIds = await deps.store.subscribers(advertiserId, now);
      for (const push of pushes) for (const connectionId of connectionIds) posts.push({ push, connectionId });
    } catch {
      for (const push of pushes) push.failed = true;
    }
  }

  const goneConnections = new Set<string>();
  const failedPosts: FailedPost[] = [];
  let sent = 0;
  let gone = 0;
  await forEachBounded(posts, deps.concurrency, async ({ push, connectionId }) => {
    if (goneConnections.has(connectionId)) return;
    const outcome = await deps.poster.post(connectionId, push.message);
    if (outcome.status === 'sent') sent++;
    else if (outcome.status === 'gone') {
      gone++;
      goneConnections.add(connectionId);
    } else {
      failedPosts.push({ connectionId, advertiserId: push.summary.advertiser_id, error: outcome.error });
      if (outcome.retryable) push.failed = true;
    }
  });

  const removals = await Promise.allSettled([...goneConnections].map((id) => deps.store.close(id)));
  return {
    failedSequenceNumbers: windows.filter((push) => push.failed).flatMap((push) => push.sequenceNumbers),
    sent,
    gone,
    failedPosts,
    cleanupFailures: removals.filter((removal) => removal.status === 'rejected').length,
  };
}

function latestPerWindow(changes: readonly SummaryChange[]): WindowPush[] {
  const windows = new Map<string, WindowPush>();
  for (const { sequenceNumber, summary } of changes) {
    const key = JSON.stringify([summary.advertiser_id, summary.window_start]);
    const earlier = windows.get(key)?.sequenceNumbers ?? [];
    // Re-inserted, so the map's order is the order of each window's last change.
    windows.delete(key);
    windows.set(key, {
      summary,
      message: encodeServerMessage(summaryMessage(summary)),
      sequenceNumbers: [...earlier, sequenceNumber],
      failed: false,
    });
  }
  return [...windows.values()];
}
