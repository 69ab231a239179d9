import { type FilteredObject, withoutMatchingLines } from './raw-lines';
import type { ErasureSubject } from './report';

/**
 * Whether one line of an `errors/` object (a Firehose failure record) carries the subject's
 * event: its `rawData` (the refused record, base64) read as JSON has `subject.column` equal to the
 * value. A record that is not JSON (it was refused for that) is searched for the field as JSON
 * writes it, `"user_id": "<value>"`, so that a truncated or malformed record is removed too. A line
 * that is not a failure record is kept: nobody's event can be read from it.
 */
export function failureRecordBelongsTo(line: string, subject: ErasureSubject): boolean {
  let rawData: unknown;
  try {
    rawData = (JSON.parse(line) as { rawData?: unknown } | null)?.rawData;
  } catch {
    return false;
  }
  if (typeof rawData !== 'string') return false;
  const record = Buffer.from(rawData, 'base64').toString('utf8');
  try {
    const parsed = JSON.parse(record) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return (parsed as Record<string, unknown>)[subject.column] === subject.value;
    }
  } catch {
    // Not JSON: searched as text below.
  }
  return fieldPattern(subject).test(record);
}

// Escapes every regular-expression syntax character with a backslash, which JavaScript, Java and
// Joni (the engines behind Athena's and Trino's regexp_like) all read as the literal character.
function regexLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function fieldPattern(subject: ErasureSubject): RegExp {
  return new RegExp(
    `"${regexLiteral(subject.column)}"\\s*:\\s*${regexLiteral(JSON.stringify(subject.value))}`,
    'u',
  );
}

/**
 * The text rule of `failureRecordBelongsTo` as a pattern for SQL's `regexp_like` (the search for
 * error objects on AWS): `[^"]*` stands for `\s*:\s*`, so it matches wherever the rule matches,
 * whatever each engine counts as whitespace (it may match a little more; the rewrite decides).
 */
export function failureRecordFieldSearchPattern(subject: ErasureSubject): string {
  return `"${regexLiteral(subject.column)}"[^"]*${regexLiteral(JSON.stringify(subject.value))}`;
}

/** One `errors/` object without the subject's failure records, every other line kept byte for byte. */
export function withoutSubjectFailureRecords(content: Uint8Array, subject: ErasureSubject): FilteredObject {
  return withoutMatchingLines(content, (line) => failureRecordBelongsTo(line, subject));
}
