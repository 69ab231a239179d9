/** What a hidden value is shown as. */
export const HIDDEN = '[hidden]';

/**
 * Fields shown as they are (strings cut to SHOWN_TEXT_LIMIT): what identifies the event, the
 * advertiser's own ids, money and times, and what the transform derives without personal content.
 * Every other field's value is hidden, so a field the contract does not know (an `email` sent by
 * mistake, the usual cause of `unknown_field`) shows its name and never its value.
 */
export const SHOWN_FIELDS: readonly string[] = [
  'event_id',
  'event_type',
  'advertiser_id',
  'event_time',
  'campaign_id',
  'ad_id',
  'publisher_id',
  'revenue',
  'cost',
  'currency',
  'sent_at',
  // The stored form's enrichment (records the event index refused hold it).
  'received_at',
  'derived_event_time',
  'clock_skew_ms',
  'ua_browser',
  'ua_browser_version',
  'ua_os',
  'ua_os_version',
  'ua_device_type',
  'is_bot',
  'url_host',
  'url_path',
];

/** Fields shown without their query string, fragment or credentials: `https://shop.example/cart?[hidden]`. */
export const URL_FIELDS: readonly string[] = ['url', 'referrer'];

/**
 * Personal fields of the event format, hidden whatever they hold. Listed for the documentation and
 * the tests: the rule that hides them is that they are neither in SHOWN_FIELDS nor in URL_FIELDS.
 */
export const PERSONAL_FIELDS: readonly string[] = [
  'user_id',
  'anonymous_id',
  'session_id',
  'ip',
  'user_agent',
];

/** Longest text shown for one value or key. */
export const SHOWN_TEXT_LIMIT = 200;
/** Members shown per object; the rest are counted. */
export const SHOWN_MEMBERS_LIMIT = 40;
/** Levels of `properties` shown; deeper objects are hidden whole. */
const SHOWN_PROPERTY_DEPTH = 6;

const SHOWN = new Set(SHOWN_FIELDS);
const URLS = new Set(URL_FIELDS);

/**
 * A failed event as it may be shown to whoever runs `clickstream failed list`: the shape of the
 * event and the values that say which event it is and why it failed, without personal data. The
 * names of `properties` stay (a refusal often concerns one), their values are hidden. A value of
 * the wrong type in a shown field (an object where an id belongs) is hidden too: it may hold anything.
 */
export function maskEvent(event: Record<string, unknown>): Record<string, unknown> {
  const masked: Record<string, unknown> = {};
  let members = 0;
  for (const key in event) {
    if (members === SHOWN_MEMBERS_LIMIT) {
      masked['…'] = `${Object.keys(event).length - members} more fields`;
      break;
    }
    members += 1;
    const value = event[key];
    masked[shownKey(key)] = SHOWN.has(key)
      ? shownScalar(value)
      : URLS.has(key)
        ? maskedUrl(value)
        : key === 'properties'
          ? maskedProperties(value, 1)
          : HIDDEN;
  }
  return masked;
}

function shownScalar(value: unknown): unknown {
  if (typeof value === 'string') return cut(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  return HIDDEN;
}

/**
 * Scheme, host and path; a query or a fragment becomes `?[hidden]` / `#[hidden]` (they carry
 * e-mail addresses, tokens and click ids), and credentials in the authority are dropped. Text that
 * is not an absolute URL is hidden whole, as nothing in it can be told apart.
 */
export function maskedUrl(value: unknown): unknown {
  if (typeof value !== 'string') return HIDDEN;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return HIDDEN;
  }
  if (url.host === '') return HIDDEN;
  const query = url.search === '' && !value.includes('?') ? '' : `?${HIDDEN}`;
  const fragment = url.hash === '' && !value.includes('#') ? '' : `#${HIDDEN}`;
  return cut(`${url.protocol}//${url.host}${url.pathname}`) + query + fragment;
}

function maskedProperties(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || depth > SHOWN_PROPERTY_DEPTH) {
    return HIDDEN;
  }
  const masked: Record<string, unknown> = {};
  let members = 0;
  for (const key in value) {
    if (members === SHOWN_MEMBERS_LIMIT) {
      masked['…'] = `${Object.keys(value).length - members} more keys`;
      break;
    }
    members += 1;
    masked[shownKey(key)] = maskedProperties((value as Record<string, unknown>)[key], depth + 1);
  }
  return masked;
}

/** A key as shown: well-formed (a lone surrogate becomes U+FFFD) and cut. */
function shownKey(key: string): string {
  return cut(key.toWellFormed());
}

function cut(text: string): string {
  return text.length <= SHOWN_TEXT_LIMIT ? text : `${text.slice(0, SHOWN_TEXT_LIMIT)}…`;
}
