import type { StoredEvent } from '../../contract';
import { BoundedCache } from './bounded-cache';
import { jsonMembers } from './json-members';

export type UrlFields = Pick<StoredEvent, 'url_host' | 'url_path'>;

const NO_FIELDS: UrlFields = Object.freeze({});
const MAX_HOST = 256;
const MAX_PATH = 8192;
// Longer addresses are parsed without caching, so the cache's memory stays bounded (entries x this).
const MAX_CACHED_ADDRESS = 1024;

interface ParsedAddress {
  fields: UrlFields;
  /** The fields as members of the stored JSON line. */
  jsonMembers: string;
}

/**
 * URL fields with the parse of each distinct address (the URL up to its query or fragment, which
 * alone decides host and path) remembered: pages repeat far more than their query strings do, and
 * a WHATWG parse is one of the costlier steps of the transform.
 */
export class UrlParser {
  private readonly cache: BoundedCache<ParsedAddress>;

  constructor(capacity: number) {
    this.cache = new BoundedCache(capacity);
  }

  fieldsFor(url: string): UrlFields {
    return this.parse(url).fields;
  }

  /** The fields as they continue the stored JSON line: `,"url_host":…,"url_path":…`, or ''. */
  jsonMembersFor(url: string): string {
    return this.parse(url).jsonMembers;
  }

  private parse(url: string): ParsedAddress {
    const end = addressEnd(url);
    // The parser strips spaces and control characters only from the ends of the whole URL, so an
    // address ending in one would parse differently on its own.
    if (end > MAX_CACHED_ADDRESS || url.charCodeAt(end - 1) <= 0x20) return parsedAddress(url);
    return this.cache.get(end === url.length ? url : url.slice(0, end), parsedAddress);
  }
}

function parsedAddress(url: string): ParsedAddress {
  const fields = urlFields(url);
  return { fields, jsonMembers: jsonMembers(fields) };
}

/** Where the query or fragment starts: the first `?` or `#` ends the host and the path alike. */
function addressEnd(url: string): number {
  const query = url.indexOf('?');
  const fragment = url.indexOf('#');
  if (query === -1) return fragment === -1 ? url.length : fragment;
  return fragment === -1 ? query : Math.min(query, fragment);
}

/**
 * Host (lower-cased by the WHATWG parser) and path of an absolute URL. A URL that does not parse,
 * or has no host, yields no fields: the raw `url` is still stored, so nothing is lost.
 */
export function urlFields(url: string): UrlFields {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return NO_FIELDS;
  }
  const host = parsed.hostname;
  if (host === '' || host.length > MAX_HOST) return NO_FIELDS;
  // Percent-encoding can lengthen the path beyond the column's limit; then only the host is kept.
  const path = parsed.pathname;
  return path.length > MAX_PATH ? { url_host: host } : { url_host: host, url_path: path };
}
