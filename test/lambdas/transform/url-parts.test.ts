import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UrlParser, urlFields } from '../../../lambdas/transform/url-parts';

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

describe('UrlParser', () => {
  it('gives, from its cache keyed by the URL without query and fragment, what parsing the whole URL gives', () => {
    const parser = new UrlParser(5);
    const urls = fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.webUrl().chain((url) => fc.string({ maxLength: 12 }).map((tail) => `${url}${tail}`)),
      fc.string({ maxLength: 40 }),
      fc.webUrl().map((url) => `${url}/${'segment/'.repeat(200)}?q`),
      fc
        .tuple(fc.webUrl(), fc.constantFrom(' ', '\t', '\u0000', '\n'), fc.constantFrom('?q', '#f'))
        .map((parts) => parts.join('')),
    );

    fc.assert(
      fc.property(urls, (url) => {
        expect(parser.fieldsFor(url)).toEqual(urlFields(url));
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['https://example.com/a?x=1', 'https://example.com/a?y=2'],
    ['https://example.com/a#x', 'https://example.com/a?q#y'],
    ['https://example.com/b ?q', 'https://example.com/b ?r'],
  ])('answers %s and %s alike', (first, second) => {
    const parser = new UrlParser(5);

    expect(parser.fieldsFor(second)).toEqual(parser.fieldsFor(first));
  });
});
