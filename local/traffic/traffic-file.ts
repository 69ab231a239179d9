import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { generateTraffic, type TrafficOptions, type TrafficTally } from './generate-traffic';
import { formatTrafficLine, parseTrafficLine, type TrafficLine } from './traffic-line';

/**
 * Writes a day of generated traffic to `path` (replacing it) as a traffic file: each record with
 * its arrival time (docs/traffic-format.md). Returns its tally.
 */
export async function writeTrafficFile(path: string, options: TrafficOptions): Promise<TrafficTally> {
  const { lines, arrivals, tally } = generateTraffic(options);
  const out = createWriteStream(path);
  for (const [i, line] of lines.entries()) {
    if (!out.write(`${formatTrafficLine(arrivals[i]!, line)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return tally;
}

/** A line read from a traffic file, and how far into the file the reading is. */
export interface ReadTrafficLine extends TrafficLine {
  bytesRead: number;
}

/**
 * Reads a traffic file line by line as bytes (a record is sent as its bytes, invalid UTF-8
 * included). Every line is a record, an empty one too, except what follows the last newline when
 * it is empty: as `clickstream transform` reads a file.
 */
export async function* readTrafficFile(path: string): AsyncGenerator<ReadTrafficLine> {
  let rest: Buffer = Buffer.alloc(0);
  let bytesRead = 0;
  for await (const chunk of createReadStream(path)) {
    let buffer = rest.length === 0 ? (chunk as Buffer) : Buffer.concat([rest, chunk as Buffer]);
    bytesRead += (chunk as Buffer).length;
    for (let newline = buffer.indexOf(0x0a); newline !== -1; newline = buffer.indexOf(0x0a)) {
      yield {
        ...parseTrafficLine(buffer.subarray(0, newline)),
        bytesRead: bytesRead - buffer.length + newline + 1,
      };
      buffer = buffer.subarray(newline + 1);
    }
    rest = buffer;
  }
  if (rest.length > 0) yield { ...parseTrafficLine(rest), bytesRead };
}

/** True when the file's first line carries an arrival time: such a file is replayed at its times. */
export async function isTimedTrafficFile(path: string): Promise<boolean> {
  for await (const line of readTrafficFile(path)) return line.arrivedAt !== undefined;
  return false;
}
