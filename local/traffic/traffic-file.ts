import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { generateTraffic, type TrafficOptions, type TrafficTally } from './generate-traffic';

/** Writes a day of generated traffic as NDJSON to `path` (replacing it) and returns its tally. */
export async function writeTrafficFile(path: string, options: TrafficOptions): Promise<TrafficTally> {
  const { lines, tally } = generateTraffic(options);
  const out = createWriteStream(path);
  for (const line of lines) {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return tally;
}
