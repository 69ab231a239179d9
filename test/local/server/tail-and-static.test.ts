import { describe, expect, it } from 'vitest';
import type { RecordOutcomeView } from '../../../local/pipeline/delivery';
import { staticFileFor } from '../../../local/server/static-files';
import {
  MAX_TAIL_EVENT_BYTES,
  MAX_TAIL_EVENTS_PER_MESSAGE,
  tailEvents,
} from '../../../local/server/tail-events';

const view = (outcome: RecordOutcomeView['outcome'], data: unknown, reason?: string): RecordOutcomeView => ({
  arrivedAt: Date.parse('2026-11-22T12:00:00Z'),
  outcome,
  data: Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)),
  ...(reason === undefined ? {} : { reason }),
});

describe('tail events', () => {
  it('keeps refused records first when a delivery holds more than a message', () => {
    const records = [
      view('failed', { event_id: 'bad' }, 'missing_required_field'),
      ...Array.from({ length: 150 }, (_, i) => view('ok', { event_id: `ok-${i}` })),
    ];

    const { events, omitted } = tailEvents(records);

    expect(events).toHaveLength(MAX_TAIL_EVENTS_PER_MESSAGE);
    expect(omitted).toBe(51);
    expect(events[0]).toMatchObject({ outcome: 'failed', reason: 'missing_required_field' });
    expect(events.at(-1)?.event).toEqual({ event_id: 'ok-149' });
  });

  it('hides personal fields of refused records and previews big ones within the bound', () => {
    const big = {
      event_id: 'big',
      user_id: 'jane',
      properties: Object.fromEntries(Array.from({ length: 39 }, (_, i) => [`k${i}`.repeat(60), 'v'])),
    };

    const { events } = tailEvents([
      view('failed', big, 'too_many_properties'),
      view('failed', 'not json', 'invalid_json'),
    ]);

    expect(JSON.stringify(events)).not.toContain('jane');
    const preview = events[0]?.event as { preview: string; truncated: boolean };
    expect(preview.truncated).toBe(true);
    expect(Buffer.byteLength(preview.preview)).toBeLessThanOrEqual(MAX_TAIL_EVENT_BYTES);
    expect(events[1]?.event).toBeNull();
  });
});

describe('static file paths', () => {
  it.each([
    ['/', '/srv/dist/index.html'],
    ['/assets/app.js', '/srv/dist/assets/app.js'],
    ['/tail.html', '/srv/dist/tail.html'],
  ])('%s is %s', (path, file) => {
    expect(staticFileFor('/srv/dist', path)).toBe(file);
  });

  it.each([
    '/../etc/passwd',
    '/assets/%2e%2e/%2e%2e/etc/passwd',
    '/%E0%A4%A',
    '/a%00b',
    '/..%5c..%5cetc',
    '/.env',
    'relative',
  ])('names no file for %s', (path) => {
    expect(staticFileFor('/srv/dist', path)).toBeUndefined();
  });
});
