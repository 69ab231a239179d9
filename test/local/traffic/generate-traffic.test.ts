import { describe, expect, it } from 'vitest';
import { toEpochMillis, validateWireEvent, type WireEvent } from '../../../contract';
import { generateTraffic } from '../../../local/traffic/generate-traffic';

const END = Date.parse('2026-11-22T08:00:00Z');
const DAY = 86_400_000;

function parsed(lines: string[]) {
  const valid: WireEvent[] = [];
  let invalid = 0;
  for (const line of lines) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      invalid += 1;
      continue;
    }
    const validation = validateWireEvent(value);
    if (validation.ok && toEpochMillis(validation.event.event_time) < END) valid.push(validation.event);
    else invalid += 1;
  }
  return { valid, invalid };
}

describe('generateTraffic', () => {
  const traffic = generateTraffic({ events: 5000, end: END, seed: 3 });
  const { valid, invalid } = parsed(traffic.lines);

  it('is reproducible: the same seed gives the same lines', () => {
    expect(generateTraffic({ events: 5000, end: END, seed: 3 }).lines).toEqual(traffic.lines);
    expect(generateTraffic({ events: 5000, end: END, seed: 4 }).lines).not.toEqual(traffic.lines);
  });

  it('generates about the requested number of valid events, all within the day', () => {
    const distinct = new Set(valid.map((e) => e.event_id));

    expect(distinct.size).toBe(traffic.tally.events);
    expect(traffic.tally.events).toBeGreaterThanOrEqual(4900);
    for (const event of valid) {
      const time = toEpochMillis(event.event_time);
      expect(time).toBeGreaterThanOrEqual(END - DAY);
      expect(time).toBeLessThan(END);
    }
  });

  it('accounts for every line: valid events, their repeats, and the malformed lines', () => {
    expect(traffic.lines).toHaveLength(traffic.tally.lines);
    expect(valid.length).toBe(traffic.tally.events + traffic.tally.duplicates);
    expect(invalid).toBe(traffic.tally.malformed);
    expect(traffic.tally.malformed).toBeGreaterThan(0);
    expect(traffic.tally.late).toBeGreaterThan(0);
  });

  it('follows an ad funnel: fewer clicks than impressions, fewer conversions than clicks, revenue only on conversions', () => {
    const count = (type: string) => valid.filter((e) => e.event_type === type).length;

    expect(count('click')).toBeLessThan(count('impression') / 10);
    expect(count('conversion')).toBeLessThan(count('click'));
    expect(count('conversion')).toBeGreaterThan(0);
    expect(valid.filter((e) => e.revenue !== undefined).every((e) => e.event_type === 'conversion')).toBe(
      true,
    );
  });

  it('spreads traffic over many advertisers, the most popular first, and follows a daily rhythm', () => {
    const byAdvertiser = new Map<string, number>();
    const byHour = new Array<number>(24).fill(0);
    for (const event of valid) {
      byAdvertiser.set(event.advertiser_id, (byAdvertiser.get(event.advertiser_id) ?? 0) + 1);
      byHour[Math.floor((toEpochMillis(event.event_time) - (END - DAY)) / 3_600_000)]! += 1;
    }

    expect(byAdvertiser.size).toBeGreaterThan(40);
    expect(byAdvertiser.get('adv-001')).toBe(Math.max(...byAdvertiser.values()));
    expect(Math.max(...byHour)).toBeGreaterThan(4 * Math.min(...byHour));
  });

  it('records when each line arrived: in arrival order, never before the event happened, within the day', () => {
    expect(traffic.arrivals).toHaveLength(traffic.lines.length);
    traffic.arrivals.forEach((arrivedAt, i) => {
      if (i > 0) expect(arrivedAt).toBeGreaterThanOrEqual(traffic.arrivals[i - 1]!);
      expect(arrivedAt).toBeLessThan(END);
    });
    valid.forEach((event) => {
      const i = traffic.lines.findIndex((line) => line.includes(event.event_id));
      if (event.sent_at === undefined) return;
      expect(traffic.arrivals[i]!).toBeGreaterThanOrEqual(toEpochMillis(event.event_time));
      expect(toEpochMillis(event.sent_at)).toBeLessThanOrEqual(traffic.arrivals[i]!);
    });
  });

  it('is mostly on time, with some events minutes or hours late and a few beyond the lateness horizon', () => {
    const { tally } = generateTraffic({ events: 20_000, end: END, seed: 3 });

    expect(tally.late).toBeGreaterThan(0);
    expect(tally.late / tally.events).toBeLessThan(0.15);
    expect(tally.afterFinal).toBeGreaterThan(0);
    expect(tally.afterFinal).toBeLessThan(tally.late);
  });
});
