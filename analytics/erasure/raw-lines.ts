import { gunzipSync, gzipSync } from 'node:zlib';
import type { ErasureSubject } from './report';

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** A raw object's content without the subject's lines, and how many lines went and stayed. */
export interface FilteredObject {
  readonly body: Buffer;
  readonly linesRemoved: number;
  readonly linesKept: number;
}

function belongsTo(line: string, subject: ErasureSubject): boolean {
  try {
    const record = JSON.parse(line) as unknown;
    return (
      typeof record === 'object' &&
      record !== null &&
      (record as Record<string, unknown>)[subject.column] === subject.value
    );
  } catch {
    // Not JSON: no event of anyone's can be read from it, so it is kept as it is.
    return false;
  }
}

/**
 * Removes the subject's lines from one NDJSON object as Firehose writes it (gzip, or plain when it
 * is not gzip), keeping every other line byte for byte and in order, and the compression.
 */
export function withoutSubjectLines(content: Uint8Array, subject: ErasureSubject): FilteredObject {
  return withoutMatchingLines(content, (line) => belongsTo(line, subject));
}

/**
 * Removes the lines `matches` picks from one NDJSON object (gzip, or plain), keeping every other
 * line byte for byte and in order, and the compression. Also used for `errors/` objects, whose
 * lines are Firehose failure records (analytics/erasure/failure-records.ts).
 */
export function withoutMatchingLines(
  content: Uint8Array,
  matches: (line: string) => boolean,
): FilteredObject {
  const gzipped = content[0] === GZIP_MAGIC[0] && content[1] === GZIP_MAGIC[1];
  const text = (gzipped ? gunzipSync(content) : Buffer.from(content)).toString('utf8');
  const lines = text.split('\n');
  // A final newline leaves an empty last piece: it is the terminator, not a line.
  const trailing = lines.at(-1) === '' ? lines.pop() : undefined;
  const kept = lines.filter((line) => !matches(line));
  const out = kept.length === 0 ? '' : `${kept.join('\n')}${trailing === undefined ? '' : '\n'}`;
  const bytes = Buffer.from(out, 'utf8');
  return {
    body: gzipped ? gzipSync(bytes) : bytes,
    linesRemoved: lines.length - kept.length,
    linesKept: kept.filter((line) => line !== '').length,
  };
}
