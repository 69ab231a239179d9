import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { toUtcIso } from '../../contract';
import type { UpsertOutcome } from '../../lambdas/aggregator/ports';
import { fromSummaryJson, toSummaryJson, type WindowSummary } from '../../lambdas/aggregator/summary';
import { PRIVATE_FILE_MODE, temporaryPath } from '../pipeline/data-dir';

// A day file, `<YYYY-MM-DD>.json` in an advertiser's folder, holds that advertiser's summaries whose
// windows start on that UTC day, oldest first, in their JSON form.

/** A day file whose content is not what the store writes; `problem` says what is wrong. */
export class CorruptDayFileError extends Error {
  override name = 'CorruptDayFileError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

/** The UTC day (YYYY-MM-DD) of an instant: the day file its window belongs in. */
export function dayOf(epochMillis: number): string {
  return toUtcIso(epochMillis).slice(0, 10);
}

/**
 * The file's summaries, each checked to be a whole summary whose window starts on the file's day
 * (and, when `advertiserId` is given, of that advertiser). A missing file holds none; content that
 * fails a check throws CorruptDayFileError; any other failure to read throws as it came.
 */
export async function readDayFile(path: string, advertiserId?: string): Promise<WindowSummary[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const corrupt = (problem: string): never => {
    throw new CorruptDayFileError(path, problem);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return corrupt(`not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) return corrupt('expected a JSON array of summaries');
  const day = basename(path, '.json');
  return parsed.map((json: unknown, index) => {
    const number = index + 1;
    let summary: WindowSummary;
    try {
      summary = fromSummaryJson(json);
    } catch (error) {
      return corrupt(`summary ${number}: ${(error as Error).message}`);
    }
    if (advertiserId !== undefined && summary.advertiserId !== advertiserId) {
      corrupt(
        `summary ${number} belongs to advertiser ${JSON.stringify(summary.advertiserId)}, not ${JSON.stringify(advertiserId)}`,
      );
    }
    if (dayOf(summary.windowStart) !== day) {
      corrupt(`summary ${number} starts at ${toUtcIso(summary.windowStart)}, not on ${day}`);
    }
    return summary;
  });
}

/**
 * Merges summaries of one advertiser and day into its file: each is stored unless the file holds
 * one for the same window computed at the same time or later. A corrupt file is handed to
 * `setAside` (which moves it away) and the merge starts from an empty file. The file is replaced by
 * an atomic rename, so a reader in another process never sees it half-written.
 */
export async function mergeIntoDayFile(
  path: string,
  advertiserId: string,
  summaries: readonly WindowSummary[],
  setAside: (corrupt: CorruptDayFileError) => Promise<void>,
): Promise<UpsertOutcome> {
  let current: WindowSummary[];
  try {
    current = await readDayFile(path, advertiserId);
  } catch (error) {
    if (!(error instanceof CorruptDayFileError)) throw error;
    await setAside(error);
    current = [];
  }
  const stored = new Map(current.map((summary) => [summary.windowStart, summary]));
  let written = 0;
  for (const summary of summaries) {
    const held = stored.get(summary.windowStart);
    if (held !== undefined && held.computedAt >= summary.computedAt) continue;
    stored.set(summary.windowStart, summary);
    written += 1;
  }
  if (written > 0) {
    const ordered = [...stored.values()].sort((a, b) => a.windowStart - b.windowStart).map(toSummaryJson);
    await mkdir(dirname(path), { recursive: true });
    // A `.tmp-*` name, so the pipeline's start-up clean-up removes one a crash left behind.
    const temporary = temporaryPath(dirname(path), '.json');
    await writeFile(temporary, `${JSON.stringify(ordered, null, 1)}\n`, {
      flag: 'wx',
      mode: PRIVATE_FILE_MODE,
    });
    await rename(temporary, path);
  }
  return { written, stale: summaries.length - written };
}

/**
 * Moves a corrupt day file into the `corrupt/` folder beside it (or in `folder`), named by its day
 * and the time it was moved (`corrupt/2026-11-22.20261122T130000000Z.json`); returns the new path. Keeping the
 * bytes lets an operator see what went wrong; out of the way, the file no longer stops writes.
 */
export async function moveAside(path: string, now: number, folder = dirname(path)): Promise<string> {
  const stamp = toUtcIso(now).replace(/[-:.]/g, '');
  const destination = join(folder, 'corrupt', `${basename(path, '.json')}.${stamp}.json`);
  await mkdir(dirname(destination), { recursive: true });
  await rename(path, destination);
  return destination;
}
