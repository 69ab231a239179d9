import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../../cli/commands/summaries';
import { UsageError } from '../../../cli/errors';

const now = Date.parse('2026-11-22T12:00:00.000Z');

describe('clickstream summaries flags', () => {
  it('default to every advertiser over the last 24 hours, as a table', () => {
    expect(parseFlags({ format: 'table' }, now)).toEqual({
      range: { from: now - 86_400_000, to: now },
      format: 'table',
    });
  });

  it('read an advertiser, times with offsets and the json format', () => {
    const request = parseFlags(
      { advertiser: 'adv-1', from: '2026-11-20T02:00:00+02:00', to: '2026-11-21T00:00:00Z', format: 'json' },
      now,
    );

    expect(request).toEqual({
      advertiser: 'adv-1',
      range: { from: Date.parse('2026-11-20T00:00:00Z'), to: Date.parse('2026-11-21T00:00:00Z') },
      format: 'json',
    });
  });

  it.each([
    [{ advertiser: 'a b', format: 'table' }, '--advertiser "a b" is not an advertiser id'],
    [{ from: 'yesterday', format: 'table' }, '--from "yesterday" is not an ISO-8601 time'],
    [{ to: '2026-11-22', format: 'table' }, '--to "2026-11-22" is not an ISO-8601 time'],
    [{ from: '2026-11-22T00:00:00Z', to: '2026-11-21T00:00:00Z', format: 'table' }, 'must be before --to'],
    [{ format: 'csv' }, '--format must be table or json, got "csv"'],
  ])('refuse %o as a usage error', (flags, message) => {
    expect(() => parseFlags(flags, now)).toThrow(UsageError);
    expect(() => parseFlags(flags, now)).toThrow(message);
  });
});
