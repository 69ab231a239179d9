import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  failureRecordBelongsTo,
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
