/** An accepted event on its way to Firehose. `seq` orders events by `track` call; flush waits on it. */
export interface OutgoingRecord {
  readonly seq: number;
  /** The wire bytes: one JSON line ending in a newline. */
  readonly data: Buffer;
}

/**
 * First in, first out, keeping its size in records and bytes. Taking from the front moves an index
 * instead of shifting the array, and the array is compacted once most of it has been taken.
 */
export class RecordQueue {
  // Taken slots are cleared so that the records can be collected before the array is compacted.
  #items: (OutgoingRecord | undefined)[] = [];
  #head = 0;
  #bytes = 0;

  get count(): number {
    return this.#items.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  push(record: OutgoingRecord): void {
    this.#items.push(record);
    this.#bytes += record.data.length;
  }

  peek(): OutgoingRecord | undefined {
    return this.#items[this.#head];
  }

  shift(): OutgoingRecord | undefined {
    const record = this.#items[this.#head];
    if (record === undefined) return undefined;
    this.#items[this.#head] = undefined;
    this.#head++;
    this.#bytes -= record.data.length;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return record;
  }

  /**
   * Takes records from the front for one request: at most `maxRecords`, and at most `maxBytes` in
   * total (a record that would pass the byte budget waits for the next request).
   */
  takeBatch(maxRecords: number, maxBytes: number): OutgoingRecord[] {
    const batch: OutgoingRecord[] = [];
    let bytes = 0;
    for (let next = this.peek(); next !== undefined; next = this.peek()) {
      if (batch.length === maxRecords || bytes + next.data.length > maxBytes) break;
      bytes += next.data.length;
      batch.push(next);
      this.shift();
    }
    return batch;
  }

  /** Takes every record from the front whose seq is at most `seq`. */
  takeThrough(seq: number): OutgoingRecord[] {
    const taken: OutgoingRecord[] = [];
    while ((this.peek()?.seq ?? Number.POSITIVE_INFINITY) <= seq) taken.push(this.shift()!);
    return taken;
  }
}
