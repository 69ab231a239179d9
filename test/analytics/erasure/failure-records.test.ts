import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  failureRecordBelongsTo,
  failureRecordFieldSearchPattern,
  withoutSubjectFailureRecords,
} from '../../../analytics/erasure/failure-records';
import { invalidSubjectValue } from '../../../analytics/erasure/subject-value';
import { erasureSubject } from '../../../cli/commands/erase';
import { UsageError } from '../../../cli/errors';

const subject = { column: 'user_id' as const, value: 'u"1' };
const line = (record: string) =>
  JSON.stringify({
    attemptsMade: 1,
    arrivalTimestamp: 1,
    errorCode: 'x',
    rawData: Buffer.from(record).toString('base64'),
  });

describe('failureRecordBelongsTo', () => {
  it.each([
    ['a JSON record of the user', JSON.stringify({ user_id: 'u"1', event_type: 'Bad' }), true],
    ['a JSON record of another user', JSON.stringify({ user_id: 'u"12' }), false],
    ['the value as anonymous_id only', JSON.stringify({ anonymous_id: 'u"1' }), false],
    ['a truncated record naming the user', '{"event_id":"x", "user_id" : "u\\"1", "event_ti', true],
    ['a truncated record of another user', '{"user_id":"u\\"12', false],
    ['bytes that are not text', '\u0000\u00ff', false],
  ])('%s: %s', (_name, record, expected) => {
    expect(failureRecordBelongsTo(line(record), subject)).toBe(expected);
  });

  it('keeps a line that is not a failure record', () => {
    expect(failureRecordBelongsTo('{"user_id":"u\\"1"}', subject)).toBe(false);
    expect(failureRecordBelongsTo('not json', subject)).toBe(false);
  });

  it('rewrites a gzip errors/ object without the user’s records, the others byte for byte', () => {
    const kept = line(JSON.stringify({ user_id: 'u2' }));
    const content = gzipSync(`${line(JSON.stringify({ user_id: 'u"1' }))}\n${kept}\n`);

    const result = withoutSubjectFailureRecords(content, subject);

    expect(gunzipSync(result.body).toString()).toBe(`${kept}\n`);
    expect([result.linesRemoved, result.linesKept]).toEqual([1, 1]);
  });
});

describe('failureRecordFieldSearchPattern (the regexp_like of the AWS search of errors/)', () => {
  // Read here by JavaScript's engine: `[^"]`, `*` and a backslash before punctuation mean the same
  // in Java's and Joni's (the engine suite runs the SQL on Trino).
  const searches = (subject: { column: 'user_id' | 'anonymous_id'; value: string }, text: string) =>
    new RegExp(failureRecordFieldSearchPattern(subject)).test(text);

  it('matches every record the text rule removes, whatever the id and the whitespace', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('user_id' as const, 'anonymous_id' as const),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
        fc.string({
          unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2028', '\ufeff'),
          maxLength: 3,
        }),
        fc.string({ unit: fc.constantFrom(' ', '\t', '\u3000'), maxLength: 3 }),
        fc.string({ maxLength: 20 }),
        (column, value, before, after, rest) => {
          const subject = { column, value };
          // Cut off, so not JSON: the rule matches on the text.
          const record = `{"event_id":"e","${column}"${before}:${after}${JSON.stringify(value)}${rest}`;
          fc.pre(failureRecordBelongsTo(line(record), subject));

          expect(searches(subject, record)).toBe(true);
        },
      ),
    );
  });

  it('matches the id only as a whole JSON string, with every character literal', () => {
    const subject = { column: 'user_id' as const, value: "o'neil.+(x)" };

    expect(searches(subject, `{"user_id" : "o'neil.+(x)", "ev`)).toBe(true);
    expect(searches(subject, `{"user_id":"o'neilAAx"`)).toBe(false);
    expect(searches(subject, `{"user_id":"o'neil.+(x)2"`)).toBe(false);
    expect(searches(subject, `{"anonymous_id":"o'neil.+(x)"`)).toBe(false);
  });
});

describe('the id to erase', () => {
  it.each([
    ['', 'must not be empty'],
    ['x'.repeat(129), 'is 129 characters long; the event format allows at most 128'],
    ['a\u0085b', 'holds a control character, which the event format refuses'],
  ])('%j is refused: %s', (value, reason) => {
    expect(invalidSubjectValue(value)).toBe(reason);
    expect(() => erasureSubject({ userId: value })).toThrow(UsageError);
  });

  it('takes any id the event format takes, up to 128 code points (an astral character is one)', () => {
    expect(invalidSubjectValue('😀'.repeat(128))).toBeUndefined();
    expect(erasureSubject({ anonymousId: 'x'.repeat(128) })).toEqual({
      column: 'anonymous_id',
      value: 'x'.repeat(128),
    });
  });
});
