import { describe, expect, it } from 'vitest';
import { erasureSubject } from '../../../cli/commands/erase';
import { UsageError } from '../../../cli/errors';

describe('erase: whose events', () => {
  it.each([
    [{ userId: 'u-1' }, { column: 'user_id', value: 'u-1' }],
    [{ anonymousId: 'a-1' }, { column: 'anonymous_id', value: 'a-1' }],
  ])('%o erases by %o', (flags, subject) => {
    expect(erasureSubject(flags)).toEqual(subject);
  });

  it.each([[{}], [{ userId: 'u-1', anonymousId: 'a-1' }], [{ userId: ' ' }]])('refuses %o', (flags) => {
    expect(() => erasureSubject(flags)).toThrow(UsageError);
  });
});
