import { describe, expect, it } from 'vitest';
import { validateStoredEvent } from '../../../contract';
import { storedIp } from '../../../lambdas/transform/ip-address';

describe('storedIp', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0'],
    ['10.0.0.255', '10.0.0.0'],
    ['2001:db8:abcd:12::1', '2001:db8:abcd::'],
    ['2001:0DB8:0000:0012:0000:0000:0000:0001', '2001:db8:0::'],
    ['::1', '::'],
    ['fe80::1%eth0', 'fe80:0:0::'],
    ['::ffff:192.0.2.55', '::ffff:192.0.2.0'],
    ['::ffff:c000:237', '::ffff:192.0.2.0'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0::'],
  ])('truncates %s to %s', (ip, expected) => {
    expect(storedIp(ip, 'truncate')).toBe(expected);
  });

  it.each(['203.0.113.0', '2001:db8:abcd::', '2001:db8:0::', '::', '::ffff:192.0.2.0'])(
    'stores %s in a form the stored-event validator accepts',
    (ip) => {
      const stored = {
        event_id: 'e',
        event_type: 'click',
        advertiser_id: 'a',
        event_time: '2026-11-22T07:35:00.000Z',
        received_at: '2026-11-22T07:35:00.000Z',
        ip,
      };

      expect(validateStoredEvent(stored).ok).toBe(true);
    },
  );

  it('keeps the address as sent in keep mode', () => {
    expect(storedIp('2001:db8::1', 'keep')).toBe('2001:db8::1');
  });

  it('stores nothing in drop mode', () => {
    expect(storedIp('203.0.113.77', 'drop')).toBeUndefined();
  });
});
