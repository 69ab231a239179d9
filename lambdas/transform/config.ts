import { type Environment, oneOf, wholeNumber } from '../shared/env';

/** How the transform stores the client's IP address. */
export const IP_ANONYMISATION_MODES = ['truncate', 'keep', 'drop'] as const;
export type IpAnonymisation = (typeof IP_ANONYMISATION_MODES)[number];

export interface TransformConfig {
  /** `truncate` (default) zeroes the host part (IPv4 /24, IPv6 /48); `keep` stores it; `drop` omits it. */
  ipAnonymisation: IpAnonymisation;
  /** How far after received_at a client timestamp may lie before the record is refused (clock drift allowance). */
  futureToleranceMs: number;
  /**
   * How far before received_at an event_time may lie before the record is refused: each event day
   * has its own OpenSearch index, so without a bound every old day would create one.
   */
  maxEventAgeMs: number;
  /** Distinct user agents whose parse is remembered (real traffic repeats a few hundred UAs). */
  userAgentCacheSize: number;
  /** Distinct URLs (without query and fragment) whose parse is remembered. */
  urlCacheSize: number;
  /** CloudWatch namespace for the outcome metrics. */
  metricsNamespace: string;
  /** The `service` dimension and log field. */
  serviceName: string;
}

export const DEFAULT_FUTURE_TOLERANCE_SECONDS = 3600;
export const DEFAULT_MAX_EVENT_AGE_DAYS = 30;
/** MAX_EVENT_AGE_DAYS's range: the upper end spans the storable years (2000-2099), i.e. no limit. */
export const MAX_EVENT_AGE_DAYS_RANGE = { min: 1, max: 36_525 } as const;
const DAY_MS = 86_400_000;
export const DEFAULT_USER_AGENT_CACHE_SIZE = 2000;
export const DEFAULT_URL_CACHE_SIZE = 10_000;
const MAX_CACHE = 1_000_000;

/** Reads the transform's settings from an environment (process.env in Lambda), failing fast on a bad value. */
export function readTransformConfig(env: Environment): TransformConfig {
  return {
    ipAnonymisation: oneOf(env, 'IP_ANONYMISATION', IP_ANONYMISATION_MODES, 'truncate'),
    futureToleranceMs:
      wholeNumber(env, 'FUTURE_TOLERANCE_SECONDS', DEFAULT_FUTURE_TOLERANCE_SECONDS, 0, 31_536_000) * 1000,
    maxEventAgeMs:
      wholeNumber(
        env,
        'MAX_EVENT_AGE_DAYS',
        DEFAULT_MAX_EVENT_AGE_DAYS,
        MAX_EVENT_AGE_DAYS_RANGE.min,
        MAX_EVENT_AGE_DAYS_RANGE.max,
      ) * DAY_MS,
    userAgentCacheSize: wholeNumber(
      env,
      'USER_AGENT_CACHE_SIZE',
      DEFAULT_USER_AGENT_CACHE_SIZE,
      1,
      MAX_CACHE,
    ),
    urlCacheSize: wholeNumber(env, 'URL_CACHE_SIZE', DEFAULT_URL_CACHE_SIZE, 1, MAX_CACHE),
    metricsNamespace: env.POWERTOOLS_METRICS_NAMESPACE || 'Clickstream',
    serviceName: env.POWERTOOLS_SERVICE_NAME || 'clickstream-transform',
  };
}
