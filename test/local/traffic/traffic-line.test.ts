import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTrafficLine, parseTrafficLine } from '../../../local/traffic/traffic-line';

const arrivalTimes = fc.integer({
  min: Date.parse('2000-01-01T00:00:00Z'),
  max: Date.parse('2099-12-31T23:59:59Z'),
});

describe('traffic lines', () => {
  it('a timed line gives back its arrival time and its record, byte for byte, whatever the record holds', () => {
    fc.assert(
      fc.property(arrivalTimes, fc.uint8Array({ maxLength: 200 }), (arrivedAt, bytes) => {
        const record = Buffer.from(bytes.filter((b) => b !== 0x0a));
        const line = Buffer.concat([Buffer.from(`${formatTrafficLine(arrivedAt, '')}`), record]);

        const parsed = parseTrafficLine(line);

        expect(parsed.arrivedAt).toBe(arrivedAt);
        expect(parsed.record.equals(record)).toBe(true);
      }),
    );
  });

  it.each([
    ['{"event_id":"e1","event_type":"click"}', 'a plain NDJSON event'],
    ['not json\twith a tab', 'text with a tab that is not after an arrival time'],
    ['2026-02-30T10:00:00.000Z\t{}', 'an impossible date before the tab'],
    ['2026-11-22 08:00:00\t{}', 'a time that is not ISO-8601'],
    ['', 'an empty line'],
  ])('%j (%s) is all record, with no arrival time', (text) => {
    const parsed = parseTrafficLine(Buffer.from(text));

    expect(parsed.arrivedAt).toBeUndefined();
    expect(parsed.record.toString()).toBe(text);
  });

  it('reads an arrival time with an offset', () => {
    const parsed = parseTrafficLine(Buffer.from('2026-11-22T09:00:00.5+01:00\t{"a":1}'));

    expect(parsed.arrivedAt).toBe(Date.parse('2026-11-22T08:00:00.500Z'));
    expect(parsed.record.toString()).toBe('{"a":1}');
  });
});
