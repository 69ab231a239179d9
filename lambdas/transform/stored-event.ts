import type { StoredEvent, WireEvent } from '../../contract';
import { BoundedCache } from './bounded-cache';
import type { TransformConfig } from './config';
import type { EventTimes } from './event-times';
import { flattenProperties } from './flatten-properties';
import { storedIp } from './ip-address';
import { UrlParser } from './url-parts';
import { parseUserAgent, type UserAgentFields } from './user-agent';

export interface Enrichers {
  config: TransformConfig;
  userAgents: BoundedCache<UserAgentFields>;
  urls: UrlParser;
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
 * The stored form of a valid event: the wire fields under the same names (times normalised,
 * properties flattened, ip anonymised) plus the enrichment fields. Every field is listed,
 * undefined when absent, so each record has the same shape and JSON.stringify (which skips
 * undefined) stays on its fast path.
 */
export function toStoredEvent(event: WireEvent, times: EventTimes, enrichers: Enrichers): StoredEvent {
  const ua =
    event.user_agent === undefined ? undefined : enrichers.userAgents.get(event.user_agent, parseUserAgent);
  const url = event.url === undefined ? undefined : enrichers.urls.fieldsFor(event.url);
  return {
    event_id: event.event_id,
    event_type: event.event_type,
    advertiser_id: event.advertiser_id,
    event_time: times.eventTime,
    campaign_id: event.campaign_id,
    ad_id: event.ad_id,
    publisher_id: event.publisher_id,
    user_id: event.user_id,
    anonymous_id: event.anonymous_id,
    session_id: event.session_id,
    url: event.url,
    referrer: event.referrer,
    user_agent: event.user_agent,
    ip: event.ip === undefined ? undefined : storedIp(event.ip, enrichers.config.ipAnonymisation),
    revenue: event.revenue,
    cost: event.cost,
    currency: event.currency,
    sent_at: times.sentAt,
    properties: event.properties === undefined ? undefined : flattenProperties(event.properties),
    received_at: times.receivedAt,
    derived_event_time: times.derivedEventTime,
    clock_skew_ms: times.clockSkewMs,
    ua_browser: ua?.ua_browser,
    ua_browser_version: ua?.ua_browser_version,
    ua_os: ua?.ua_os,
    ua_os_version: ua?.ua_os_version,
    ua_device_type: ua?.ua_device_type,
    is_bot: ua?.is_bot,
    url_host: url?.url_host,
    url_path: url?.url_path,
  };
}
