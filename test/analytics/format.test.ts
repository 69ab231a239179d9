import { describe, expect, it } from 'vitest';
import { formatResult } from '../../analytics/format';
import type { QueryResult } from '../../analytics/result';

const result: QueryResult = {
  columns: [
    { name: 'campaign_id', kind: 'text' },
    { name: 'clicks', kind: 'integer' },
    { name: 'ctr', kind: 'decimal' },
  ],
  rows: [
    ['c1', '12', '0.6666666666666666'],
    ['say "hi", ok', '9007199254740993', null],
  ],
  notes: [],
};

describe('formatResult', () => {
  it('aligns a table: text left, numbers right, decimals to four places, NULL shown', () => {
    expect(formatResult(result, 'table')).toBe(
      [
        'campaign_id             clicks     ctr',
        '------------  ----------------  ------',
        'c1                          12  0.6667',
        'say "hi", ok  9007199254740993    NULL',
        '(2 rows)',
        '',
      ].join('\n'),
    );
  });

  it('writes RFC 4180 CSV with full precision and empty NULLs', () => {
    expect(formatResult(result, 'csv')).toBe(
      'campaign_id,clicks,ctr\r\nc1,12,0.6666666666666666\r\n"say ""hi"", ok",9007199254740993,\r\n',
    );
  });

  it('writes JSON numbers for numeric columns, keeping integers beyond 2^53 as text', () => {
    expect(JSON.parse(formatResult(result, 'json'))).toEqual([
      { campaign_id: 'c1', clicks: 12, ctr: 0.6666666666666666 },
      { campaign_id: 'say "hi", ok', clicks: '9007199254740993', ctr: null },
    ]);
  });
});
