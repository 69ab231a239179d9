import type { WireEvent } from '../../contract';
import { BoundedCache } from './bounded-cache';
import type { TransformConfig } from './config';
import type { EventTimes } from './event-times';
import { flatPropertiesJson } from './flatten-properties';
import { storedIp } from './ip-address';
import { jsonMembers } from './json-members';
import { UrlParser } from './url-parts';
import { parseUserAgent } from './user-agent';

export interface Enrichers {
  config: TransformConfig;
  userAgents: BoundedCache<UserAgentMembers>;
  urls: UrlParser;
}

/** A user agent's part of the stored line, derived once per distinct user agent. */
interface UserAgentMembers {
  /** `,"user_agent":"…"` */
  userAgent: string;
  /** `,"ua_browser":…,"is_bot":…`: the enrichment fields the parser could tell. */
  enrichment: string;
}

/** The enrichers for a configuration; their caches live as long as the returned object. */
export function createEnrichers(config: TransformConfig): Enrichers {
  return {
    config,
    userAgents: new BoundedCache(config.userAgentCacheSize),
    urls: new UrlParser(config.urlCacheSize),
  };
}

/**
 * The stored form of a valid event as its JSON line: the wire fields under the same names (times
 * normalised, properties flattened, ip anonymised) plus the enrichment fields, in the schema's
 * order, absent fields left out. The text is what JSON.stringify would make of a StoredEvent
 * object, written member by member instead: no object per record, and the members that depend
 * only on the user agent or the URL's address are serialised once per distinct value. A string
 * from the sender is escaped by JSON.stringify, so a newline in a value stays escaped and the line
 * stays one line, unless `plainStrings` (see decodeRecord) says that it holds nothing to escape.
 * The times, which this transform writes itself in a fixed ASCII form, need no escaping.
 */
export function storedEventLine(
  event: WireEvent,
  times: EventTimes,
  enrichers: Enrichers,
  plainStrings: boolean,
): string {
  const ua =
    event.user_agent === undefined ? undefined : enrichers.userAgents.get(event.user_agent, userAgentMembers);
  const ip = event.ip === undefined ? undefined : storedIp(event.ip, enrichers.config.ipAnonymisation);
  let line = `{${text('"event_id":', event.event_id, plainStrings)}`;
  line += text(',"event_type":', event.event_type, plainStrings);
  line += text(',"advertiser_id":', event.advertiser_id, plainStrings);
  line += `,"event_time":"${times.eventTime}"`;
  line += text(',"campaign_id":', event.campaign_id, plainStrings);
  line += text(',"ad_id":', event.ad_id, plainStrings);
  line += text(',"publisher_id":', event.publisher_id, plainStrings);
  line += text(',"user_id":', event.user_id, plainStrings);
  line += text(',"anonymous_id":', event.anonymous_id, plainStrings);
  line += text(',"session_id":', event.session_id, plainStrings);
  line += text(',"url":', event.url, plainStrings);
  line += text(',"referrer":', event.referrer, plainStrings);
  if (ua !== undefined) line += ua.userAgent;
  line += text(',"ip":', ip, plainStrings);
  line += number(',"revenue":', event.revenue);
  line += number(',"cost":', event.cost);
  line += text(',"currency":', event.currency, plainStrings);
  if (times.sentAt !== undefined) line += `,"sent_at":"${times.sentAt}"`;
  if (event.properties !== undefined) {
    line += `,"properties":${flatPropertiesJson(event.properties, plainStrings)}`;
  }
  line += `,"received_at":"${times.receivedAt}","derived_event_time":"${times.derivedEventTime}"`;
  line += number(',"clock_skew_ms":', times.clockSkewMs);
  if (ua !== undefined) line += ua.enrichment;
  if (event.url !== undefined) line += enrichers.urls.jsonMembersFor(event.url);
  return `${line}}\n`;
}

/** `key` followed by the JSON text of `value`, or '' when there is no value. */
function text(key: string, value: string | undefined, plain: boolean): string {
  if (value === undefined) return '';
  return plain ? `${key}"${value}"` : key + JSON.stringify(value);
}

/** A number from JSON.parse is finite, and a finite number's JSON text is its string form. */
function number(key: string, value: number | undefined): string {
  return value === undefined ? '' : key + value;
}

function userAgentMembers(userAgent: string): UserAgentMembers {
  return {
    userAgent: text(',"user_agent":', userAgent, false),
    enrichment: jsonMembers(parseUserAgent(userAgent)),
  };
}
