import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAdvertiserId } from '../../lambdas/aggregator/advertiser-id';
import type { WindowSummary } from '../../lambdas/aggregator/summary';
import { PRIVATE_FILE_MODE, temporaryPath } from '../pipeline/data-dir';
import { advertiserFolder, advertiserOfFolder } from './advertiser-folder';
import { CorruptDayFileError, moveAside, readDayFile } from './day-file';

/** Names a day file: `<YYYY-MM-DD>.json`. */
export const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.json$/;

/**
 * Written in the summaries directory once its folders have case-safe names (layout 2, see
 * advertiserFolder). Layout 1, without the file, named each folder by the advertiser id itself, so
 * `ADV-IN` and `adv-in` shared one folder on a case-insensitive file system. The name holds a dot,
 * which no advertiser folder has.
 */
const MARKER = 'layout.json';
const LAYOUT = 2;

/**
 * A layout-1 folder is renamed `<folder>.layout1` before its summaries are copied to their new
 * folders and it is removed; a crash in between leaves it renamed, and the next start finishes it.
 */
const MOVING = '.layout1';

export interface LayoutMove {
  readonly now: () => number;
  /** Merges summaries into a day file as the store does (a corrupt target is moved aside and reported). */
  readonly merge: (
    path: string,
    advertiserId: string,
    summaries: readonly WindowSummary[],
  ) => Promise<unknown>;
  /** A corrupt layout-1 file, moved to `movedTo`. */
  readonly onCorrupt: (corrupt: CorruptDayFileError, movedTo: string) => void;
  /** A layout-1 file that could not be moved (it stays, and the next start tries again). */
  readonly onProblem: (message: string) => void;
  readonly onNotice: (message: string) => void;
}

/**
 * Brings the summaries directory to layout 2: a no-op when the marker is there or nothing is;
 * otherwise every folder that holds a summary not of its own advertiser (a layout-1 name with
 * capitals, or a lower-case folder a case-insensitive file system shared) is moved, summary by
 * summary, into the folder of each summary's advertiser, a newer computation winning as in any
 * write. Then the marker is written.
 */
export async function moveToCurrentLayout(directory: string, move: LayoutMove): Promise<void> {
  const marker = await readMarker(directory);
  if (marker !== undefined) {
    if (marker !== LAYOUT) {
      throw new Error(
        `${join(directory, MARKER)}: layout ${JSON.stringify(marker)} is not one this version reads (layout ${LAYOUT})`,
      );
    }
    return;
  }
  const names = await folderNames(directory);
  if (names === undefined) return;
  for (const name of names) {
    if (isAdvertiserId(name) && !(await holdsOnlyItsOwn(directory, name))) {
      await rename(join(directory, name), join(directory, `${name}${MOVING}`));
    }
  }
  const moving = ((await folderNames(directory)) ?? []).filter((name) => name.endsWith(MOVING));
  let complete = true;
  for (const name of moving) complete = (await moveFolder(directory, name, move)) && complete;
  // Without the marker, the next start tries the folders left behind again.
  if (complete) await writeMarker(directory);
  if (moving.length > 0) {
    const folders = moving.map((name) => name.slice(0, -MOVING.length));
    move.onNotice(
      `moved the summaries of ${folders.length} advertiser folder(s) (${folders.join(', ')}) to case-safe folder names (docs/summaries.md)`,
    );
  }
}

/** Creates the summaries directory for the first write; a new directory starts in layout 2. */
export async function createStoreDirectory(directory: string): Promise<void> {
  if ((await mkdir(directory, { recursive: true })) !== undefined) await writeMarker(directory);
}

/**
 * Moves a renamed layout-1 folder's summaries to their advertisers' folders, then removes it. A
 * corrupt file is moved aside; a file that cannot be read or written is reported and keeps the
 * folder for the next start (false), while the other files move on.
 */
async function moveFolder(directory: string, name: string, move: LayoutMove): Promise<boolean> {
  const folder = join(directory, name);
  const advertiserId = name.slice(0, -MOVING.length);
  let complete = true;
  for (const file of await readdir(folder)) {
    if (!DAY_FILE.test(file)) continue;
    const path = join(folder, file);
    try {
      const summaries = await readDayFile(path);
      for (const owner of new Set(summaries.map((summary) => summary.advertiserId))) {
        const owned = summaries.filter((summary) => summary.advertiserId === owner);
        await move.merge(join(directory, advertiserFolder(owner), file), owner, owned);
      }
      await rm(path);
    } catch (error) {
      if (error instanceof CorruptDayFileError) {
        move.onCorrupt(
          error,
          await moveAside(path, move.now(), join(directory, advertiserFolder(advertiserId))),
        );
      } else {
        complete = false;
        move.onProblem(
          `could not move ${path} to its case-safe folder (${(error as Error).message}); the next start tries again`,
        );
      }
    }
  }
  if (complete) await rm(folder, { recursive: true, force: true });
  return complete;
}

/**
 * True unless a day file holds a summary of another advertiser. A file that cannot be read or is
 * corrupt does not count: the store reports it when it reads or writes that day.
 */
async function holdsOnlyItsOwn(directory: string, name: string): Promise<boolean> {
  const advertiserId = advertiserOfFolder(name);
  if (advertiserId === undefined) return false;
  const folder = join(directory, name);
  for (const file of await readdir(folder)) {
    if (!DAY_FILE.test(file)) continue;
    const summaries = await readDayFile(join(folder, file)).catch(() => []);
    if (summaries.some((summary) => summary.advertiserId !== advertiserId)) return false;
  }
  return true;
}

async function folderNames(directory: string): Promise<string[] | undefined> {
  try {
    const entries = await readdir(directory, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function readMarker(directory: string): Promise<unknown> {
  const path = join(directory, MARKER);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return (JSON.parse(text) as { layout?: unknown }).layout;
  } catch {
    throw new Error(`${path}: not valid JSON; it should read {"layout": ${LAYOUT}}`);
  }
}

/** Written whole or not at all: a marker cut short by a full disk would stop every reader. */
async function writeMarker(directory: string): Promise<void> {
  const temporary = temporaryPath(directory, '.json');
  await writeFile(temporary, `${JSON.stringify({ layout: LAYOUT })}\n`, {
    flag: 'wx',
    mode: PRIVATE_FILE_MODE,
  });
  await rename(temporary, join(directory, MARKER));
}
