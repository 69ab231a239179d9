import { describe, expect, it } from 'vitest';
import type { FailedEventList } from '../../../analytics/failed/failed-events';
import type { RedriveReport } from '../../../analytics/failed/redrive';
import { formatFailedList, formatRedriveReport } from '../../../cli/commands/failed';
import { readTransformConfig } from '../../../lambdas/transform/config';

const ARRIVAL = Date.UTC(2026, 10, 22, 7, 35, 12);
const list: FailedEventList = {
  total: 3,
  groups: [
    {
      reason: 'event_too_old',
      errorOutputType: 'processing-failed',
      records: 2,
      passNow: 1,
      firstArrival: ARRIVAL,
      lastArrival: ARRIVAL + 1000,
      samples: [
        {
          arrival: '2026-11-22T07:35:12.000Z',
          error_code: 'Lambda.ProcessingFailedStatus',
          field: '/event_time',
          message: "/event_time is more than 30 days before the record's arrival",
          bytes: 120,
          event: { event_id: 'e-1', user_id: '[hidden]' },
          object: 'errors/processing-failed/dt=2026-11-22/x.gz',
        },
      ],
    },
    {
      reason: 'invalid_json',
      errorOutputType: 'processing-failed',
      records: 1,
      passNow: 0,
      firstArrival: ARRIVAL,
      lastArrival: ARRIVAL,
      samples: [],
    },
  ],
  problems: [],
};

describe('failed list output', () => {
  it('tables the groups, then the samples with the refused field', () => {
    const text = formatFailedList(list, 'table');

    expect(text).toContain('event_too_old  processing-failed        2         1  2026-11-22T07:35:12.000Z');
    expect(text).toContain('(2 rows)');
    expect(text).toContain('  2026-11-22T07:35:12.000Z  /event_time: /event_time is more than 30 days');
    expect(text).toContain('{"event_id":"e-1","user_id":"[hidden]"}');
  });

  it('writes one CSV row per group with its first sample', () => {
    const lines = formatFailedList(list, 'csv').trim().split('\r\n');

    expect(lines[0]).toBe(
      'reason,error_output_type,records,pass_now,first_arrival,last_arrival,sample_event',
    );
    expect(lines[1]).toBe(
      'event_too_old,processing-failed,2,1,2026-11-22T07:35:12.000Z,2026-11-22T07:35:13.000Z,"{""event_id"":""e-1"",""user_id"":""[hidden]""}"',
    );
    expect(lines[2]).toMatch(/^invalid_json,.*,null$/);
  });

  it('writes JSON with snake_case names and ISO times', () => {
    const json = JSON.parse(formatFailedList(list, 'json'));

    expect(json.groups[0]).toMatchObject({
      reason: 'event_too_old',
      pass_now: 1,
      first_arrival: '2026-11-22T07:35:12.000Z',
    });
  });
});

describe('failed redrive report', () => {
  const report: RedriveReport = {
    dryRun: false,
    read: 10,
    sent: 4,
    stillFailing: { invalid_json: 2, event_too_old: 1 },
    skipped: { alreadyRedriven: 1, repeated: 1, refusedByIndex: 1, unreadable: 0 },
    undelivered: { ServiceUnavailableException: 1 },
    recordedIn: ['redrive/2026-11-22T07-40-00Z-x.ndjson'],
  };

  it('says what was sent, what still fails by reason, what was skipped and where it is recorded', () => {
    const text = formatRedriveReport(report, {
      place: '.clickstream/lake/errors/',
      query: {},
      config: readTransformConfig({ MAX_EVENT_AGE_DAYS: '60' }),
      pipeline: undefined,
    });

    expect(text).toContain('judged now with MAX_EVENT_AGE_DAYS=60 FUTURE_TOLERANCE_SECONDS=3600');
    expect(text).toMatch(/ {2}sent +4\n/);
    expect(text).toMatch(/still failing, not sent +3\n {6}invalid_json 2, event_too_old 1\n/);
    expect(text).toContain(
      'already redriven 1, repeated 1, refused by the event index (not resent) 1, unreadable 0',
    );
    expect(text).toMatch(/not accepted by Firehose +1\n {6}ServiceUnavailableException 1/);
    expect(text).toContain('recorded in redrive/2026-11-22T07-40-00Z-x.ndjson');
  });

  it('says a dry run sent nothing', () => {
    const text = formatRedriveReport(
      { ...report, dryRun: true, undelivered: {}, recordedIn: [] },
      { place: 'x', query: {}, config: readTransformConfig({}), pipeline: undefined },
    );

    expect(text).toMatch(/^Dry run: nothing sent or recorded\./);
    expect(text).toMatch(/would be sent +4\n/);
  });
});
