import { createHash, randomUUID } from 'node:crypto';
import type { ObjectStore } from '../../local/lake/object-store';

/**
 * Where `failed redrive` records what it sent, beside `errors/` in the same bucket (locally the
 * data dir's `lake/`): one NDJSON object per batch of sends, never rewritten, so that two runs
 * cannot overwrite each other's record and a run stopped half way keeps what it recorded.
 */
export const REDRIVE_PREFIX = 'redrive/';

/** One redriven record; no event content, only what identifies it. */
export interface RedriveEntry {
  /** SHA-256 (hex) of the record's bytes: the same bytes failed twice are the same record. */
  sha256: string;
  event_id?: string;
  /** When the redrive sent it (ISO-8601 UTC). */
  redriven_at: string;
  /** The delivery stream it was sent to. */
  stream: string;
  /** Arrival of the failure record it was read from (epoch millis). */
  arrival_timestamp: number;
}

/** The key a record is known by in the ledger: SHA-256 of its data (base64 in the failure record). */
export function recordDigest(rawData: string): string {
  return createHash('sha256').update(Buffer.from(rawData, 'base64')).digest('hex');
}

/**
 * The digests of every record redriven so far. A ledger object that cannot be read is reported and
 * skipped: its records may be sent again, which the event_id deduplication downstream absorbs.
 */
export async function loadRedriven(
  store: ObjectStore,
  onProblem: (key: string, message: string) => void = () => undefined,
): Promise<Set<string>> {
  const digests = new Set<string>();
  for (const key of await store.list(REDRIVE_PREFIX)) {
    let text: string;
    try {
      text = (await store.get(key)).toString('utf8');
    } catch (error) {
      onProblem(
        key,
        `cannot read the redrive record: ${error instanceof Error ? error.message : String(error)}`,
      );
      continue;
    }
    let bad = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const digest = digestOf(line);
      if (digest === undefined) bad += 1;
      else digests.add(digest);
    }
    if (bad > 0) onProblem(key, `${bad} lines are not redrive entries; skipped`);
  }
  return digests;
}

function digestOf(line: string): string | undefined {
  try {
    const { sha256 } = JSON.parse(line) as { sha256?: unknown };
    return typeof sha256 === 'string' && /^[0-9a-f]{64}$/.test(sha256) ? sha256 : undefined;
  } catch {
    return undefined;
  }
}

/** Writes one ledger object for `entries`; returns its key. */
export async function recordRedriven(
  store: ObjectStore,
  entries: readonly RedriveEntry[],
  now: number,
): Promise<string> {
  const stamp = new Date(now).toISOString().slice(0, 19).replaceAll(':', '-');
  const key = `${REDRIVE_PREFIX}${stamp}Z-${randomUUID()}.ndjson`;
  await store.put(key, Buffer.from(entries.map((entry) => `${JSON.stringify(entry)}\n`).join('')));
  return key;
}
