import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { syncDirectory } from '../atomic-file';
import { PRIVATE_FILE_MODE } from './data-dir';

/** A record as the endpoint accepted it. */
export interface SpooledRecord {
  /** The RecordId returned to the client, also the recordId in the transformation event. */
  id: string;
  /** Epoch millis of acceptance: Firehose's approximateArrivalTimestamp. */
  arrivedAt: number;
  data: Buffer;
}

/** A closed segment: its records are delivered together, then the segment is released. */
export interface Segment {
  /** Stable across restarts; names the segment's lake objects so a redelivery overwrites them. */
  readonly id: string;
  readonly records: SpooledRecord[];
  bytes: number;
}

interface OpenSegment {
  segment: Segment;
  file: FileHandle;
  /** Bytes of the file that hold whole, synced lines. */
  size: number;
}

interface PendingAppend {
  records: SpooledRecord[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

const SEGMENT_SUFFIX = '.wal';

export interface SpoolOptions {
  /** Problems worth a line on stderr: a line recovery could not read, a segment file that would not open. */
  onProblem?: (message: string) => void;
  /** Opens a segment file for appending; a test makes it fail. @default fs/promises open, mode 0600 */
  openFile?: (path: string) => Promise<FileHandle>;
  /** Waits before opening a segment file again after a failure (EMFILE, ...). @default 10, 50, 250 ms */
  openRetryDelaysMs?: readonly number[];
}

export interface OpenedSpool {
  spool: Spool;
  /** The segments a previous run left undelivered, oldest first. */
  recovered: Segment[];
  /** Lines of those segments that could not be read (a line cut off by a crash), dropped and reported. */
  unreadableLines: number;
}

const DEFAULT_OPEN_RETRY_DELAYS_MS = [10, 50, 250];

/**
 * The write-ahead spool that makes acknowledgements durable: accepted records are appended to the
 * open segment file and fsync'ed before their request is answered. Concurrent appends are written
 * and synced together (group commit). A seal closes the open segment; the next append opens a new
 * one, so no segment file is ever left empty. Once a sealed segment's records are delivered its
 * file is removed. On start, segments left by a crash are recovered for delivery; a torn last line
 * (written, never synced, so never acknowledged) is dropped and reported.
 *
 * A segment file that will not open (too many open files, a folder deleted or unwritable) is tried
 * again a few times, its folder recreated; if it still fails, the appends waiting for it fail (the
 * endpoint answers ServiceUnavailableException, which clients retry) and the next append tries
 * again: the spool never keeps using a closed file.
 */
export class Spool {
  private pending: PendingAppend[] = [];
  private writeScheduled = false;
  private queue: Promise<void> = Promise.resolve();
  /** The segment appends go to; none until the first append after a seal. */
  private open: OpenSegment | undefined;
  private closed = false;
  private readonly openFile: (path: string) => Promise<FileHandle>;

  private constructor(
    private readonly dir: string,
    private sequence: number,
    private readonly options: SpoolOptions,
  ) {
    this.openFile = options.openFile ?? ((path) => open(path, 'a', PRIVATE_FILE_MODE));
  }

  /** Opens the spool in `dir`, with the segments a previous run left undelivered. */
  static async open(dir: string, options: SpoolOptions = {}): Promise<OpenedSpool> {
    await mkdir(dir, { recursive: true });
    const names = (await readdir(dir)).filter((n) => n.endsWith(SEGMENT_SUFFIX)).sort();
    const recovered: Segment[] = [];
    let unreadableLines = 0;
    for (const name of names) {
      const { segment, unreadable } = await readSegment(
        join(dir, name),
        name.slice(0, -SEGMENT_SUFFIX.length),
      );
      for (const problem of unreadable) options.onProblem?.(`spool ${join(dir, name)}: ${problem}`);
      unreadableLines += unreadable.length;
      if (segment.records.length > 0) recovered.push(segment);
      else await rm(join(dir, name));
    }
    const last = names.at(-1);
    const sequence = last === undefined ? 0 : Number.parseInt(last, 10);
    return { spool: new Spool(dir, sequence, options), recovered, unreadableLines };
  }

  /** Bytes of record data in the open segment. */
  get openBytes(): number {
    return this.open?.segment.bytes ?? 0;
  }

  get openRecords(): number {
    return this.open?.segment.records.length ?? 0;
  }

  /** Resolves once the records are on disk (fsync'ed) in the open segment. */
  append(records: SpooledRecord[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ records, resolve, reject });
      if (!this.writeScheduled) {
        this.writeScheduled = true;
        const batch = this.pending;
        this.enqueue(() => this.write(batch));
      }
    });
  }

  /**
   * Closes the open segment (with the appends made before this call) and returns it; undefined
   * when it holds no record (nothing to deliver, and nothing to close).
   */
  seal(): Promise<Segment | undefined> {
    // Appends from now on are written after the seal, into the next segment.
    this.pending = [];
    this.writeScheduled = false;
    return this.enqueue(async () => {
      const open = this.open;
      if (open === undefined || open.segment.records.length === 0) return undefined;
      this.open = undefined;
      await closeQuietly(open.file, this.options.onProblem);
      return open.segment;
    });
  }

  /** Forgets a delivered segment. */
  async release(segment: Segment): Promise<void> {
    await rm(join(this.dir, `${segment.id}${SEGMENT_SUFFIX}`), { force: true });
  }

  /** Closes the open segment file; records in it stay on disk for the next start. Appends fail from now on. */
  async close(): Promise<void> {
    await this.enqueue(async () => {
      this.closed = true;
      const open = this.open;
      this.open = undefined;
      if (open === undefined) return;
      await open.file.close();
      if (open.segment.records.length === 0) await this.release(open.segment);
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Writes and syncs every append gathered in `batch` since it was scheduled (group commit). */
  private async write(batch: PendingAppend[]): Promise<void> {
    if (this.pending === batch) {
      this.pending = [];
      this.writeScheduled = false;
    }
    let open: OpenSegment;
    try {
      if (this.closed) throw new Error('the spool is closed');
      this.open ??= await this.openNext();
      open = this.open;
    } catch (error) {
      for (const append of batch) append.reject(error);
      return;
    }
    const text = batch.flatMap((append) => append.records.map(encodeLine)).join('');
    try {
      await open.file.appendFile(text);
      await open.file.datasync();
      open.size += Buffer.byteLength(text);
    } catch (error) {
      // Cut a partly written batch off so the next append does not continue a torn line.
      await open.file.truncate(open.size).catch(() => undefined);
      if (open.segment.records.length === 0) {
        // Nothing to deliver in it: the next append starts a new file rather than retry this one.
        this.open = undefined;
        await closeQuietly(open.file, this.options.onProblem);
        await this.release(open.segment).catch(() => undefined);
      }
      for (const append of batch) append.reject(error);
      return;
    }
    const { segment } = open;
    for (const append of batch) {
      for (const record of append.records) {
        segment.records.push(record);
        segment.bytes += record.data.length;
      }
      append.resolve();
    }
  }

  /** Opens the next segment file, recreating the folder and trying again a few times. */
  private async openNext(): Promise<OpenSegment> {
    const delays = this.options.openRetryDelaysMs ?? DEFAULT_OPEN_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        await mkdir(this.dir, { recursive: true });
        this.sequence += 1;
        return await createSegment(this.dir, this.sequence, this.openFile);
      } catch (error) {
        const delay = delays[attempt];
        const message = error instanceof Error ? error.message : String(error);
        if (delay === undefined) {
          this.options.onProblem?.(`spool: could not open a segment file in ${this.dir}: ${message}`);
          throw error;
        }
        await sleep(delay);
      }
    }
  }
}

async function createSegment(
  dir: string,
  sequence: number,
  openFile: (path: string) => Promise<FileHandle>,
): Promise<OpenSegment> {
  // The sequence orders segments; the uuid keeps object names unique across data dirs.
  const id = `${String(sequence).padStart(12, '0')}-${randomUUID()}`;
  const path = join(dir, `${id}${SEGMENT_SUFFIX}`);
  const file = await openFile(path);
  try {
    await syncDirectory(dir);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(path, { force: true });
    throw error;
  }
  return { segment: { id, records: [], bytes: 0 }, file, size: 0 };
}

/** Its records are synced: a failing close loses nothing, so it is reported, not thrown. */
async function closeQuietly(file: FileHandle, onProblem: ((message: string) => void) | undefined) {
  await file.close().catch((error: unknown) => {
    onProblem?.(
      `spool: closing a sealed segment failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
}

function encodeLine(record: SpooledRecord): string {
  return `${JSON.stringify({ i: record.id, t: record.arrivedAt, d: record.data.toString('base64') })}\n`;
}

async function readSegment(path: string, id: string): Promise<{ segment: Segment; unreadable: string[] }> {
  const segment: Segment = { id, records: [], bytes: 0 };
  const unreadable: string[] = [];
  const lines = (await readFile(path, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    if (line.length === 0) return;
    const record = decodeLine(line);
    if (record !== undefined) {
      segment.records.push(record);
      segment.bytes += record.data.length;
    } else if (i === lines.length - 1) {
      // The last line had no newline yet: it was being written when the process stopped, so it
      // was never synced and never acknowledged.
      unreadable.push(`dropped a line cut off at its end (${line.length} characters), never acknowledged`);
    } else {
      unreadable.push(`dropped unreadable line ${i + 1} (${line.length} characters): the file was damaged`);
    }
  });
  return { segment, unreadable };
}

function decodeLine(line: string): SpooledRecord | undefined {
  try {
    const { i, t, d } = JSON.parse(line) as { i: unknown; t: unknown; d: unknown };
    if (typeof i !== 'string' || typeof t !== 'number' || typeof d !== 'string') return undefined;
    return { id: i, arrivedAt: t, data: Buffer.from(d, 'base64') };
  } catch {
    return undefined;
  }
}
