import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/errors';
import { openSearchUrlFrom } from '../../cli/options';

describe('openSearchUrlFrom (--opensearch-url)', () => {
  it.each([
    ['http://127.0.0.1:9200', 'http://127.0.0.1:9200'],
    ['http://127.0.0.1:9200/', 'http://127.0.0.1:9200'],
    ['https://localhost:9200', 'https://localhost:9200'],
    ['HTTP://LOCALHOST:9200', 'http://localhost:9200'],
    ['http://[::1]:9200', 'http://[::1]:9200'],
    ['http://127.0.0.1:8080/opensearch/', 'http://127.0.0.1:8080/opensearch'],
  ])('takes %s as %s', (raw, url) => {
    expect(openSearchUrlFrom(raw)).toBe(url);
  });

  it.each(['127.0.0.1:9200', 'localhost', 'ftp://127.0.0.1:9200', 'file:///tmp/node', '', 'http://'])(
    'refuses %j, which is no http(s) URL',
    (raw) => {
      expect(() => openSearchUrlFrom(raw)).toThrow(UsageError);
      expect(() => openSearchUrlFrom(raw)).toThrow(
        `--opensearch-url must be an http:// or https:// URL such as http://127.0.0.1:9200 (got ${JSON.stringify(raw)})`,
      );
    },
  );

  it.each(['http://admin:admin@127.0.0.1:9200', 'http://127.0.0.1:9200/?pretty', 'http://127.0.0.1:9200/#x'])(
    'refuses %j: credentials, a query or a fragment have no place in a node address',
    (raw) => {
      expect(() => openSearchUrlFrom(raw)).toThrow('--opensearch-url takes the node');
    },
  );
});
