import { describe, expect, it } from 'vitest';
import { parseUserAgent } from '../../../lambdas/transform/user-agent';

describe('parseUserAgent', () => {
  it.each([
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      { ua_browser: 'Chrome', ua_os: 'Windows', ua_device_type: 'desktop', is_bot: false },
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      {
        ua_browser: 'Mobile Safari',
        ua_os: 'iOS',
        ua_os_version: '18.1',
        ua_device_type: 'mobile',
        is_bot: false,
      },
    ],
    [
      'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1',
      { ua_os: 'iOS', ua_device_type: 'tablet', is_bot: false },
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      { ua_browser: 'Safari', ua_os: 'Mac OS', ua_device_type: 'desktop', is_bot: false },
    ],
    [
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      { ua_device_type: 'bot', is_bot: true },
    ],
    ['curl/8.5.0', { ua_device_type: 'bot', is_bot: true }],
    [
      'Mozilla/5.0 (PlayStation 5 3.20) AppleWebKit/605.1.15 (KHTML, like Gecko)',
      { ua_os: 'PlayStation', ua_device_type: 'console', is_bot: false },
    ],
    [
      'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36',
      { ua_device_type: 'smarttv', is_bot: false },
    ],
    [
      'Mozilla/5.0 (Haiku; x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      { ua_browser: 'Chrome', ua_device_type: 'unknown', is_bot: false },
    ],
  ])('reads %s', (userAgent, expected) => {
    expect(parseUserAgent(userAgent)).toMatchObject(expected);
  });

  it('leaves out fields it cannot tell', () => {
    const fields = parseUserAgent('SomeApp/1.0');

    expect(fields.ua_browser).toBeUndefined();
    expect(fields.ua_os).toBeUndefined();
  });
});
