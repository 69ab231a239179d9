import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  Clock,
  SummaryPage,
  SummaryQuery,
  SummaryStore,
  UpsertOutcome,
} from '../../lambdas/aggregator/ports';
import type { WindowSummary } from '../../lambdas/aggregator/summary';
import { advertiserFolder, advertiserOfFolder } from './advertiser-folder';
import { CorruptDayFileError, dayOf, mergeIntoDayFile, moveAside, readDayFile } from './day-file';
import { createStoreDirectory, DAY_FILE, moveToCurrentLayout } from './layout';

export interface FileSummaryStoreOptions {
  /** A summary file the store cannot use: its path, what is wrong, and what the store did. @default a line on stderr */
  onProblem?: (message: string) => void;
  /** Something the store did that an operator should know of (a layout change). @default a line on stderr */
  onNotice?: (message: string) => void;
  /** Names the files it moves aside. @default Date.now */
  clock?: Clock;
}

/**
 * The local summary store: `<data-dir>/summaries/<advertiser folder>/<YYYY-MM-DD>.json`, one file
 * per advertiser and UTC day holding that day's summaries in their JSON form, oldest window first
 * (the folder name is the id made safe for case-insensitive file systems, see advertiserFolder).
 * Files are replaced by an atomic rename, so a reader in another process (the CLI) never sees a
 * half-written file. Writes are serialised per file within this process; the local pipeline runs
 * summaries in the one process that owns the DuckDB event index, so there is no other writer.
 *
 * One bad file never stops the others: a corrupt file is moved aside by the next write of its day
 * (and skipped by readers until then), reported with its path and what is wrong; a file that cannot
 * be read is skipped by readers, reported, and fails the upsert naming it, after every other file
 * of the upsert is written.
 */
export class FileSummaryStore implements SummaryStore {
  readonly directory: string;
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly skipped = new Set<string>();
  private layout: Promise<void> | undefined;
  private readonly onProblem: (message: string) => void;
  private readonly onNotice: (message: string) => void;
  private readonly clock: Clock;

  constructor(dataDir: string, options: FileSummaryStoreOptions = {}) {
    this.directory = join(dataDir, 'summaries');
    this.onProblem = options.onProblem ?? toStderr;
    this.onNotice = options.onNotice ?? toStderr;
    this.clock = options.clock ?? Date.now;
  }

  async upsert(summaries: readonly WindowSummary[]): Promise<UpsertOutcome> {
    await this.currentLayout();
    const byFile = new Map<string, { advertiserId: string; summaries: WindowSummary[] }>();
    for (const summary of summaries) {
      const path = this.fileFor(summary.advertiserId, summary.windowStart);
      const group = byFile.get(path) ?? { advertiserId: summary.advertiserId, summaries: [] };
      group.summaries.push(summary);
      byFile.set(path, group);
    }
    if (byFile.size === 0) return { written: 0, stale: 0 };
    await createStoreDirectory(this.directory);
    const results = await Promise.allSettled(
      [...byFile].map(([path, group]) => this.merge(path, group.advertiserId, group.summaries)),
    );
    const failed = [...byFile.keys()].flatMap((path, i) => {
      const result = results[i];
      return result?.status === 'rejected' ? [`${path}: ${messageOf(result.reason)}`] : [];
    });
    if (failed.length > 0) {
      throw new Error(
        `could not store summaries in ${failed.length} of ${byFile.size} file(s), the others are stored: ${failed.join('; ')}`,
      );
    }
    return results.reduce(
      (total, result) =>
        result.status === 'fulfilled'
          ? { written: total.written + result.value.written, stale: total.stale + result.value.stale }
          : total,
      { written: 0, stale: 0 },
    );
  }

  async query(query: SummaryQuery): Promise<SummaryPage> {
    await this.currentLayout();
    const { range, limit } = query;
    const firstDay = dayOf(range.from);
    const lastDay = dayOf(range.to - 1);
    const folder = join(this.directory, advertiserFolder(query.advertiserId));
    const days = (await daysIn(folder)).filter((day) => day >= firstDay && day <= lastDay);
    const matching: WindowSummary[] = [];
    for (const day of days) {
      for (const summary of await this.readForQuery(join(folder, `${day}.json`), query.advertiserId)) {
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
    await this.currentLayout();
    const entries = await readdir(this.directory, { withFileTypes: true }).catch(emptyWhenMissing);
    return entries
      .flatMap((entry) => (entry.isDirectory() ? (advertiserOfFolder(entry.name) ?? []) : []))
      .sort();
  }

  private fileFor(advertiserId: string, windowStart: number): string {
    return join(this.directory, advertiserFolder(advertiserId), `${dayOf(windowStart)}.json`);
  }

  private currentLayout(): Promise<void> {
    this.layout ??= moveToCurrentLayout(this.directory, {
      now: this.clock,
      merge: (path, advertiserId, summaries) => this.merge(path, advertiserId, summaries),
      onCorrupt: (corrupt, movedTo) => this.reportMovedAside(corrupt, movedTo),
      onProblem: this.onProblem,
      onNotice: this.onNotice,
    }).catch((error: unknown) => {
      // Tried again by the next call: the cause (a permission, a full disk) may be gone by then.
      this.layout = undefined;
      throw error;
    });
    return this.layout;
  }

  private merge(
    path: string,
    advertiserId: string,
    summaries: readonly WindowSummary[],
  ): Promise<UpsertOutcome> {
    return this.serialised(path, () =>
      mergeIntoDayFile(path, advertiserId, summaries, async (corrupt) => {
        this.reportMovedAside(corrupt, await moveAside(corrupt.path, this.clock()));
      }),
    );
  }

  private reportMovedAside(corrupt: CorruptDayFileError, movedTo: string): void {
    this.skipped.delete(corrupt.path);
    this.onProblem(
      `${corrupt.path} is corrupt (${corrupt.problem}); moved it to ${movedTo}. The day's file starts afresh: ` +
        'windows written from now on are kept, the others come back when a summary run or a replay recomputes them',
    );
  }

  private async readForQuery(path: string, advertiserId: string): Promise<WindowSummary[]> {
    try {
      return await readDayFile(path, advertiserId);
    } catch (error) {
      const problem =
        error instanceof CorruptDayFileError ? error.problem : `could not read it (${messageOf(error)})`;
      // Once per file: a reader polling every few seconds would otherwise repeat it each time.
      if (!this.skipped.has(path)) this.onProblem(`skipped ${path}: ${problem}`);
      this.skipped.add(path);
      return [];
    }
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

async function daysIn(folder: string): Promise<string[]> {
  const names = await readdir(folder).catch(emptyWhenMissing);
  return names.flatMap((name) => DAY_FILE.exec(name)?.[1] ?? []).sort();
}

function toStderr(message: string): void {
  console.error(`clickstream: ${message}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function emptyWhenMissing(error: unknown): never[] {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
  throw error;
}
