import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toUtcIso } from '../../contract';
import { isAdvertiserId } from '../../lambdas/aggregator/advertiser-id';
import type { SummaryPage, SummaryQuery, SummaryStore, UpsertOutcome } from '../../lambdas/aggregator/ports';
import {
  fromSummaryJson,
  type SummaryJson,
  toSummaryJson,
  type WindowSummary,
} from '../../lambdas/aggregator/summary';

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.json$/;

/**
 * The local summary store: `<data-dir>/summaries/<advertiser_id>/<YYYY-MM-DD>.json`, one file per
 * advertiser and UTC day holding that day's summaries in their JSON form, oldest window first.
 * Files are replaced by an atomic rename, so a reader in another process (the CLI) never sees a
 * half-written file. Writes are serialised per file within this process; the local pipeline runs
 * summaries in the one process that owns the DuckDB event index, so there is no other writer.
 */
export class FileSummaryStore implements SummaryStore {
  readonly directory: string;
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(dataDir: string) {
    this.directory = join(dataDir, 'summaries');
  }

  async upsert(summaries: readonly WindowSummary[]): Promise<UpsertOutcome> {
    const byFile = new Map<string, WindowSummary[]>();
    for (const summary of summaries) {
      const path = this.fileFor(summary.advertiserId, summary.windowStart);
      byFile.set(path, [...(byFile.get(path) ?? []), summary]);
    }
    const outcomes = await Promise.all(
      [...byFile].map(([path, group]) => this.serialised(path, () => mergeIntoFile(path, group))),
    );
    return outcomes.reduce(
      (total, o) => ({ written: total.written + o.written, stale: total.stale + o.stale }),
      {
        written: 0,
        stale: 0,
      },
    );
  }

  async query(query: SummaryQuery): Promise<SummaryPage> {
    const { range, limit } = query;
    const firstDay = dayOf(range.from);
    const lastDay = dayOf(range.to - 1);
    const days = (await this.daysOf(query.advertiserId)).filter((day) => day >= firstDay && day <= lastDay);
    const matching: WindowSummary[] = [];
    for (const day of days) {
      for (const json of await readDayFile(
        join(this.advertiserDirectory(query.advertiserId), `${day}.json`),
      )) {
        const summary = fromSummaryJson(json);
        const start = summary.windowStart;
        if (start >= range.from && start < range.to && (query.after === undefined || start > query.after)) {
          matching.push(summary);
        }
      }
      // One window past the page tells whether there is a next page.
      if (matching.length > limit) break;
    }
    const page = matching.slice(0, limit);
    const last = page.at(-1);
    return matching.length > limit && last !== undefined
      ? { summaries: page, after: last.windowStart }
      : { summaries: page };
  }

  /** Advertisers that have at least one stored summary, in id order. */
  async advertisers(): Promise<string[]> {
    const entries = await readdir(this.directory, { withFileTypes: true }).catch(emptyWhenMissing);
    return entries
      .filter((entry) => entry.isDirectory() && isAdvertiserId(entry.name))
      .map((entry) => entry.name)
      .sort();
  }

  private async daysOf(advertiserId: string): Promise<string[]> {
    const names = await readdir(this.advertiserDirectory(advertiserId)).catch(emptyWhenMissing);
    return names.flatMap((name) => DAY_FILE.exec(name)?.[1] ?? []).sort();
  }

  private fileFor(advertiserId: string, windowStart: number): string {
    return join(this.advertiserDirectory(advertiserId), `${dayOf(windowStart)}.json`);
  }

  private advertiserDirectory(advertiserId: string): string {
    // The contract's pattern has no '/', '.' or whitespace, so an id can never leave the directory.
    if (!isAdvertiserId(advertiserId))
      throw new Error(`not an advertiser id: ${JSON.stringify(advertiserId)}`);
    return join(this.directory, advertiserId);
  }

  private serialised<T>(path: string, work: () => Promise<T>): Promise<T> {
    const previous = this.pending.get(path) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.pending.set(path, settled);
    void settled.then(() => {
      if (this.pending.get(path) === settled) this.pending.delete(path);
    });
    return next;
  }
}

async function mergeIntoFile(path: string, summaries: readonly WindowSummary[]): Promise<UpsertOutcome> {
  const stored = new Map((await readDayFile(path)).map((json) => [json.window_start, json]));
  let written = 0;
  for (const summary of summaries) {
    const json = toSummaryJson(summary);
    const current = stored.get(json.window_start);
    // Fixed-width ISO-8601 UTC: text order is time order.
    if (current !== undefined && current.computed_at >= json.computed_at) continue;
    stored.set(json.window_start, json);
    written += 1;
  }
  if (written > 0) {
    const ordered = [...stored.values()].sort((a, b) => a.window_start.localeCompare(b.window_start));
    await mkdir(join(path, '..'), { recursive: true });
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, `${JSON.stringify(ordered, null, 1)}\n`);
    await rename(temporary, path);
  }
  return { written, stale: summaries.length - written };
}

async function readDayFile(path: string): Promise<SummaryJson[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error(`${path}: expected a JSON array of summaries`);
  return parsed as SummaryJson[];
}

function dayOf(epochMillis: number): string {
  return toUtcIso(epochMillis).slice(0, 10);
}

function emptyWhenMissing(error: unknown): never[] {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
  throw error;
}
