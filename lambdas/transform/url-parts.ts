import type { StoredEvent } from '../../contract';

export type UrlFields = Pick<StoredEvent, 'url_host' | 'url_path'>;

const NO_FIELDS: UrlFields = Object.freeze({});
const MAX_HOST = 256;
const MAX_PATH = 8192;

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
