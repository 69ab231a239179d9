import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lambdas/shared/env';
import { readTransformConfig } from '../../../lambdas/transform/config';

describe('readTransformConfig', () => {
  it('has safe defaults for an empty environment', () => {
    expect(readTransformConfig({})).toEqual({
      ipAnonymisation: 'truncate',
      futureToleranceMs: 3_600_000,
      maxEventAgeMs: 30 * 86_400_000,
      userAgentCacheSize: 2000,
      urlCacheSize: 10_000,
      metricsNamespace: 'Clickstream',
      serviceName: 'clickstream-transform',
    });
  });

  it('reads every variable', () => {
    const config = readTransformConfig({
      IP_ANONYMISATION: 'Keep',
      FUTURE_TOLERANCE_SECONDS: '300',
      MAX_EVENT_AGE_DAYS: '14',
      USER_AGENT_CACHE_SIZE: '50',
      URL_CACHE_SIZE: '70',
      POWERTOOLS_METRICS_NAMESPACE: 'Ads',
      POWERTOOLS_SERVICE_NAME: 'transform',
    });

    expect(config).toEqual({
      ipAnonymisation: 'keep',
      futureToleranceMs: 300_000,
      maxEventAgeMs: 14 * 86_400_000,
      userAgentCacheSize: 50,
      urlCacheSize: 70,
      metricsNamespace: 'Ads',
      serviceName: 'transform',
    });
  });

  it.each([
    ['IP_ANONYMISATION', 'hash', /IP_ANONYMISATION must be one of truncate, keep, drop \(got "hash"\)/],
    ['FUTURE_TOLERANCE_SECONDS', '-5', /FUTURE_TOLERANCE_SECONDS must be a whole number from 0/],
    ['FUTURE_TOLERANCE_SECONDS', '1.5', /FUTURE_TOLERANCE_SECONDS must be a whole number/],
    ['FUTURE_TOLERANCE_SECONDS', 'an hour', /FUTURE_TOLERANCE_SECONDS must be a whole number/],
    ['MAX_EVENT_AGE_DAYS', '0', /MAX_EVENT_AGE_DAYS must be a whole number from 1 to 36525 \(got "0"\)/],
    ['MAX_EVENT_AGE_DAYS', '36526', /MAX_EVENT_AGE_DAYS must be a whole number from 1 to 36525/],
    [
      'USER_AGENT_CACHE_SIZE',
      '0',
      /USER_AGENT_CACHE_SIZE must be a whole number from 1 to 1000000 \(got "0"\)/,
    ],
  ])('refuses %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => readTransformConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => readTransformConfig({ [name]: value })).toThrow(message);
  });
});
