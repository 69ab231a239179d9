import { describe, expect, it } from 'vitest';
import { urlFields } from '../../../lambdas/transform/url-parts';

describe('urlFields', () => {
  it.each([
    [
      'https://Shop.Example.COM/Products/42?x=1#top',
      { url_host: 'shop.example.com', url_path: '/Products/42' },
    ],
    ['http://example.com', { url_host: 'example.com', url_path: '/' }],
    ['https://user:pw@example.com:8443/a/../b', { url_host: 'example.com', url_path: '/b' }],
    ['https://bücher.example/ä', { url_host: 'xn--bcher-kva.example', url_path: '/%C3%A4' }],
    ['https://[2001:db8::1]/x', { url_host: '[2001:db8::1]', url_path: '/x' }],
  ])('reads %s', (url, expected) => {
    expect(urlFields(url)).toEqual(expected);
  });

  it.each(['/relative/path', 'not a url', 'mailto:someone@example.com', 'https://', ''])(
    'has no fields for %j',
    (url) => {
      expect(urlFields(url)).toEqual({});
    },
  );

  it('keeps the host but not a path longer than the column once percent-encoded', () => {
    expect(urlFields(`https://example.com/${'a '.repeat(3000)}x`)).toEqual({ url_host: 'example.com' });
  });
});
