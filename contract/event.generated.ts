// Generated from contract/event.schema.json by `npm run contract:types`. Do not edit.

/**
 * Unique per event; the key for de-duplication everywhere (the SDK fills a time-ordered UUID when absent). No control characters (C0, DEL, C1).
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "EventId".
 */
export type EventId = string;
/**
 * impression, click, conversion, pageview, or a custom lower_snake_case type.
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "EventType".
 */
export type EventType = string;
/**
 * Becomes part of index names, S3 paths and DynamoDB keys, hence the strict pattern (no '/', '.', or whitespace).
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "AdvertiserId".
 */
export type AdvertiserId = string;
/**
 * ISO-8601 date-time with a UTC offset, or epoch milliseconds, naming an instant from 2000-01-01T00:00:00.000Z to 2099-12-31T23:59:59.999Z: `minimum` and `maximum` are that range in epoch milliseconds, and the contract's `date-time` format holds a text time, once its offset is applied, to the same two numbers (so 2000-01-01T00:30:00+01:00, in 1999 in UTC, is refused). The stored form (UtcTimestamp) spans exactly this range. One schema for both types (string keywords apply to text, numeric ones to numbers) rather than oneOf, so a validator never evaluates a failing branch.
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "TimestampInput".
 */
export type TimestampInput = string | number;
/**
 * No control characters (C0, DEL, C1).
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "Identifier".
 */
export type Identifier = string;
/**
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "Url".
 */
export type Url = string;
/**
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "UserAgent".
 */
export type UserAgent = string;
/**
 * IPv4 or IPv6 in text form. The format `ip` (either family) is the contract's own, registered by the contract module; a validator that does not know a format ignores it. One format rather than anyOf ipv4/ipv6, so a validator never evaluates a failing branch.
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "IpAddress".
 */
export type IpAddress = string;
/**
 * A non-negative amount in currency units.
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "Money".
 */
export type Money = number;
/**
 * ISO 4217 code.
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "Currency".
 */
export type Currency = string;
/**
 * A value inside properties: one definition per nesting level, each listing every type it allows (no anyOf, so validation never evaluates a failing branch).
 *
 * @maxItems 100
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "PropertyValueDepth2".
 */
export type PropertyValueDepth2 =
  | string
  | number
  | boolean
  | null
  | PropertyArrayItem[]
  | {
      [k: string]: PropertyValueDepth3 | undefined;
    };
/**
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "PropertyArrayItem".
 */
export type PropertyArrayItem = string | number | boolean | null;
/**
 * @maxItems 100
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "PropertyValueDepth3".
 */
export type PropertyValueDepth3 =
  | string
  | number
  | boolean
  | null
  | PropertyArrayItem[]
  | {
      [k: string]: PropertyValueDepth4 | undefined;
    };
/**
 * @maxItems 100
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "PropertyValueDepth4".
 */
export type PropertyValueDepth4 =
  | string
  | number
  | boolean
  | null
  | PropertyArrayItem[]
  | {
      [k: string]: PropertyValueDepth5 | undefined;
    };
/**
 * @maxItems 100
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "PropertyValueDepth5".
 */
export type PropertyValueDepth5 =
  | string
  | number
  | boolean
  | null
  | PropertyArrayItem[]
  | {
      [k: string]: PropertyLeaf | undefined;
    };
/**
 * A value in the deepest (fifth) object level: no further objects.
 *
 * @maxItems 100
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "PropertyLeaf".
 */
export type PropertyLeaf = string | number | boolean | null | PropertyArrayItem[];
/**
 * ISO-8601 UTC with milliseconds, e.g. 2026-11-22T07:35:00.000Z.
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "UtcTimestamp".
 */
export type UtcTimestamp = string;
/**
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "EnrichedText".
 */
export type EnrichedText = string;
/**
 * No '.' (the flattening separator) and no control characters (C0, DEL, C1).
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "PropertyKey".
 */
export type PropertyKey = string;

/**
 * Event wire format v1: one JSON object per Firehose record, UTF-8, terminated by a newline. WireEvent is what a tracker sends; StoredEvent is what the transform Lambda emits (the same fields, event_time/sent_at normalised to ISO-8601 UTC with milliseconds, properties flattened, ip anonymised, plus enrichment fields; nothing renamed). Limits: a record is at most 1,024,000 bytes (Firehose's 1,000 KiB) including the newline; properties nest at most 5 objects deep, hold at most 100 keys per object and 200 leaves once flattened; property keys are 1-128 characters without '.' (the flattening separator) or control characters. Control characters are Unicode's: C0 (U+0000-U+001F), DEL (U+007F) and C1 (U+0080-U+009F). Every string, key or value, anywhere in an event is well-formed Unicode: no lone UTF-16 surrogate, which JSON can write as an escape (\ud800) but UTF-8 cannot hold; JSON Schema cannot say this, so the contract module checks it (reason malformed_unicode).
 */
export interface ClickstreamEventV1 {
  event_id: EventId;
  event_type: EventType;
  advertiser_id: AdvertiserId;
  event_time: TimestampInput;
  campaign_id?: Identifier;
  ad_id?: Identifier;
  publisher_id?: Identifier;
  user_id?: Identifier;
  anonymous_id?: Identifier;
  session_id?: Identifier;
  url?: Url;
  referrer?: Url;
  user_agent?: UserAgent;
  ip?: IpAddress;
  revenue?: Money;
  cost?: Money;
  currency?: Currency;
  sent_at?: TimestampInput;
  properties?: PropertiesDepth1;
}
/**
 * Custom keys. Nested objects are flattened by the transform into dotted keys. Values: strings (at most 4,096 characters), numbers, booleans, null, arrays of at most 100 of those, or objects (at most 5 levels of objects counting this one, at most 100 keys each).
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "PropertiesDepth1".
 */
export interface PropertiesDepth1 {
  [k: string]: PropertyValueDepth2 | undefined;
}
/**
 * An event as a tracker sends it.
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "WireEvent".
 */
export interface WireEvent {
  event_id: EventId;
  event_type: EventType;
  advertiser_id: AdvertiserId;
  event_time: TimestampInput;
  campaign_id?: Identifier;
  ad_id?: Identifier;
  publisher_id?: Identifier;
  user_id?: Identifier;
  anonymous_id?: Identifier;
  session_id?: Identifier;
  url?: Url;
  referrer?: Url;
  user_agent?: UserAgent;
  ip?: IpAddress;
  revenue?: Money;
  cost?: Money;
  currency?: Currency;
  sent_at?: TimestampInput;
  properties?: PropertiesDepth1;
}
/**
 * An event as the transform Lambda emits it: the wire fields (normalised, never renamed) plus enrichment. Enrichment fields are optional so that a reader of the lake also copes with untransformed records.
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "StoredEvent".
 */
export interface StoredEvent {
  event_id: EventId;
  event_type: EventType;
  advertiser_id: AdvertiserId;
  event_time: UtcTimestamp;
  campaign_id?: Identifier;
  ad_id?: Identifier;
  publisher_id?: Identifier;
  user_id?: Identifier;
  anonymous_id?: Identifier;
  session_id?: Identifier;
  url?: Url;
  referrer?: Url;
  user_agent?: UserAgent;
  ip?: IpAddress;
  revenue?: Money;
  cost?: Money;
  currency?: Currency;
  sent_at?: UtcTimestamp;
  properties?: FlatProperties;
  /**
   * ISO-8601 UTC with milliseconds, e.g. 2026-11-22T07:35:00.000Z.
   */
  received_at: string;
  /**
   * ISO-8601 UTC with milliseconds, e.g. 2026-11-22T07:35:00.000Z.
   */
  derived_event_time?: string;
  /**
   * Enrichment: received_at - sent_at in milliseconds (network delay plus the sender's clock offset). Absent when sent_at is absent.
   */
  clock_skew_ms?: number;
  /**
   * Enrichment: browser family from user_agent.
   */
  ua_browser?: string;
  /**
   * Enrichment: browser version.
   */
  ua_browser_version?: string;
  /**
   * Enrichment: operating system from user_agent.
   */
  ua_os?: string;
  /**
   * Enrichment: operating system version.
   */
  ua_os_version?: string;
  /**
   * Enrichment: device class from user_agent.
   */
  ua_device_type?:
    'desktop' | 'mobile' | 'tablet' | 'smarttv' | 'console' | 'wearable' | 'embedded' | 'bot' | 'unknown';
  /**
   * Enrichment: user_agent belongs to a known crawler, spider or bot.
   */
  is_bot?: boolean;
  /**
   * Enrichment: lower-cased host of url.
   */
  url_host?: string;
  /**
   * Enrichment: path of url, without query or fragment.
   */
  url_path?: string;
}
/**
 * Flattened properties: nested keys joined with '.', every value a string (numbers and booleans as their JSON text, arrays as JSON text) or null, so Glue reads it as map<string,string> and OpenSearch as flat_object.
 *
 * This interface was referenced by `ClickstreamEventV1`'s JSON-Schema
 * via the `definition` "FlatProperties".
 */
export interface FlatProperties {
  [k: string]: string | null | undefined;
}
