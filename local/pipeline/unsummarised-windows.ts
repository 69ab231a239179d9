import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomically } from '../atomic-file';
import type { TouchedWindows } from './summary-worker';

interface Entry {
  readonly windows: TouchedWindows;
  indexed: boolean;
}

/** The entries a summary run covers: taken before it reads the index, forgotten once it stored. */
export interface SettledWindows {
  /** Their windows, merged. */
  readonly windows: TouchedWindows;
  readonly entries: readonly Entry[];
}

/**
 * The windows of events delivered to the event index and not yet summarised, kept in a file so
 * that whenever the process stops (SIGKILL included) between a delivery and the next summary run,
 * the next start summarises them instead of leaving them to a schedule that may no longer reach
 * them (a run only revisits windows within the lateness horizon). Delivery records the windows of
 * its events, durably, before it indexes them; a summary run takes those whose indexing ended
 * before it read the index, and forgets them once their summaries are stored.
 */
export class UnsummarisedWindows {
  private entries: Entry[];
  /** What the file holds: always covers every entry not forgotten. */
  private stored: TouchedWindows;
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    left: TouchedWindows,
  ) {
    this.entries = left.size > 0 ? [{ windows: left, indexed: true }] : [];
    this.stored = new Map(left);
  }

  /**
   * Opens the file at `file`: the windows a previous run left unsummarised come back as settled. A
   * file that cannot be read as such is reported and set aside (its windows are then only those
   * the scheduled runs revisit).
   */
  static async open(file: string, onProblem: (message: string) => void): Promise<UnsummarisedWindows> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new UnsummarisedWindows(file, new Map());
      throw error;
    }
    const left = parseWindows(text);
    if (left === undefined) {
      onProblem(`${file} is not a list of windows to summarise; ignoring it`);
      return new UnsummarisedWindows(file, new Map());
    }
    return new UnsummarisedWindows(file, left);
  }

  /**
   * Makes `windows` durable before the events they come from are indexed. Call the returned
   * function once indexing ended, failed or not: what it wrote is in the index either way.
   */
  async record(windows: TouchedWindows): Promise<() => void> {
    const entry: Entry = { windows, indexed: false };
    this.entries.push(entry);
    try {
      await this.write((wanted) => !covers(this.stored, wanted));
    } catch (error) {
      this.entries.splice(this.entries.indexOf(entry), 1);
      throw error;
    }
    return () => {
      entry.indexed = true;
    };
  }

  /** The windows whose events are all in the index: a summary run that reads it now sees them. */
  settled(): SettledWindows {
    const entries = this.entries.filter((e) => e.indexed);
    return { windows: merge(entries.map((e) => e.windows)), entries };
  }

  /** Forgets windows a summary run has stored. */
  async forget(settled: SettledWindows): Promise<void> {
    if (settled.entries.length === 0) return;
    const done = new Set(settled.entries);
    this.entries = this.entries.filter((e) => !done.has(e));
    // A file left larger than needed only makes a crash recompute more; a write that keeps
    // failing shows up in the next record().
    await this.write((wanted) => !same(this.stored, wanted)).catch(() => undefined);
  }

  /** Rewrites the file with the entries' windows when `needed` says so; writes never overlap. */
  private write(needed: (wanted: TouchedWindows) => boolean): Promise<void> {
    const next = this.writes.then(async () => {
      const wanted = merge(this.entries.map((e) => e.windows));
      if (!needed(wanted)) return;
      if (wanted.size === 0) await rm(this.file, { force: true });
      else await writeFileAtomically(this.file, serialise(wanted));
      this.stored = wanted;
    });
    this.writes = next.catch(() => undefined);
    return next;
  }
}

/** Each advertiser's earliest window over all maps. */
export function merge(maps: readonly TouchedWindows[]): TouchedWindows {
  const merged: TouchedWindows = new Map();
  for (const map of maps) {
    for (const [advertiserId, from] of map) {
      const seen = merged.get(advertiserId);
      if (seen === undefined || from < seen) merged.set(advertiserId, from);
    }
  }
  return merged;
}

function covers(stored: TouchedWindows, wanted: TouchedWindows): boolean {
  for (const [advertiserId, from] of wanted) {
    const held = stored.get(advertiserId);
    if (held === undefined || held > from) return false;
  }
  return true;
}

function same(a: TouchedWindows, b: TouchedWindows): boolean {
  return a.size === b.size && covers(a, b) && covers(b, a);
}

function serialise(windows: TouchedWindows): string {
  const byAdvertiser = Object.fromEntries(
    [...windows].map(([advertiserId, from]) => [advertiserId, new Date(from).toISOString()]),
  );
  return `${JSON.stringify(byAdvertiser, null, 2)}\n`;
}

function parseWindows(text: string): TouchedWindows | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const windows: TouchedWindows = new Map();
  for (const [advertiserId, from] of Object.entries(value)) {
    const time = typeof from === 'string' ? Date.parse(from) : Number.NaN;
    if (Number.isNaN(time)) return undefined;
    windows.set(advertiserId, time);
  }
  return windows;
}
