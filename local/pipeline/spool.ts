import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory } from '../lake/lake-directory';

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

/**
 * The write-ahead spool that makes acknowledgements durable: accepted records are appended to the
 * open segment file and fsync'ed before their request is answered. Concurrent appends are written
 * and synced together (group commit). A flush seals the open segment; once its records are
 * delivered the file is removed. On start, segments left by a crash are recovered for delivery;
 * a torn last line (written, never synced, so never acknowledged) is ignored.
 */
export class Spool {
  private pending: PendingAppend[] = [];
  private writeScheduled = false;
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private sequence: number,
    private open: OpenSegment,
  ) {}

  /** Opens the spool in `dir`, returning it and the segments a previous run left undelivered. */
  static async open(dir: string): Promise<{ spool: Spool; recovered: Segment[] }> {
    await mkdir(dir, { recursive: true });
    const names = (await readdir(dir)).filter((n) => n.endsWith(SEGMENT_SUFFIX)).sort();
    const recovered: Segment[] = [];
    for (const name of names) {
      const segment = await readSegment(join(dir, name), name.slice(0, -SEGMENT_SUFFIX.length));
      if (segment.records.length > 0) recovered.push(segment);
      else await rm(join(dir, name));
    }
    const last = names.at(-1);
    const sequence = last === undefined ? 0 : Number.parseInt(last, 10);
    const next = await createSegment(dir, sequence + 1);
    return { spool: new Spool(dir, sequence + 1, next), recovered };
  }

  /** Bytes of record data in the open segment. */
  get openBytes(): number {
    return this.open.segment.bytes;
  }

  get openRecords(): number {
    return this.open.segment.records.length;
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

  /** Closes the open segment (with the appends made before this call) and starts a new one. */
  seal(): Promise<Segment> {
    // Appends from now on are written after the seal, into the next segment.
    this.pending = [];
    this.writeScheduled = false;
    return this.enqueue(async () => {
      const { segment, file } = this.open;
      await file.close();
      this.sequence += 1;
      this.open = await createSegment(this.dir, this.sequence);
      return segment;
    });
  }

  /** Forgets a delivered segment. */
  async release(segment: Segment): Promise<void> {
    await rm(join(this.dir, `${segment.id}${SEGMENT_SUFFIX}`), { force: true });
  }

  /** Closes the open segment file; records in it stay on disk for the next start. */
  async close(): Promise<void> {
    await this.enqueue(() => this.open.file.close());
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
    const open = this.open;
    const text = batch.flatMap((append) => append.records.map(encodeLine)).join('');
    try {
      await open.file.appendFile(text);
      await open.file.datasync();
      open.size += Buffer.byteLength(text);
    } catch (error) {
      // Cut a partly written batch off so the next append does not continue a torn line.
      await open.file.truncate(open.size).catch(() => undefined);
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
}

async function createSegment(dir: string, sequence: number): Promise<OpenSegment> {
  // The sequence orders segments; the uuid keeps object names unique across data dirs.
  const id = `${String(sequence).padStart(12, '0')}-${randomUUID()}`;
  const file = await open(join(dir, `${id}${SEGMENT_SUFFIX}`), 'a');
  await syncDirectory(dir);
  return { segment: { id, records: [], bytes: 0 }, file, size: 0 };
}

function encodeLine(record: SpooledRecord): string {
  return `${JSON.stringify({ i: record.id, t: record.arrivedAt, d: record.data.toString('base64') })}\n`;
}

async function readSegment(path: string, id: string): Promise<Segment> {
  const segment: Segment = { id, records: [], bytes: 0 };
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    const record = decodeLine(line);
    if (record === undefined) continue;
    segment.records.push(record);
    segment.bytes += record.data.length;
  }
  return segment;
}

function decodeLine(line: string): SpooledRecord | undefined {
  if (line.length === 0) return undefined;
  try {
    const { i, t, d } = JSON.parse(line) as { i: unknown; t: unknown; d: unknown };
    if (typeof i !== 'string' || typeof t !== 'number' || typeof d !== 'string') return undefined;
    return { id: i, arrivedAt: t, data: Buffer.from(d, 'base64') };
  } catch {
    // Only the last line can be torn: it was being written when the process died, so it was
    // never synced and never acknowledged.
    return undefined;
  }
}
