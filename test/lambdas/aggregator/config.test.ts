import { describe, expect, it } from 'vitest';
import { readDispatcherConfig, readWorkerConfig } from '../../../lambdas/aggregator/config';
import { ConfigError } from '../../../lambdas/shared/env';

const worker = {
  OPENSEARCH_ENDPOINT: 'search-x.eu-west-1.es.amazonaws.com',
  AWS_REGION: 'eu-west-1',
  SUMMARY_TABLE_NAME: 'summaries',
};

describe('aggregator configuration', () => {
  it('applies the defaults', () => {
    expect(readWorkerConfig(worker)).toEqual({
      openSearchEndpoint: 'search-x.eu-west-1.es.amazonaws.com',
      region: 'eu-west-1',
      settings: { latenessHorizonMinutes: 180, summaryScheduleMinutes: 15 },
      serviceName: 'clickstream-summary-worker',
      metricsNamespace: 'Clickstream',
      summaryTableName: 'summaries',
    });
  });

  it.each([
    [{ ...worker, SUMMARY_TABLE_NAME: '' }, 'environment variable SUMMARY_TABLE_NAME is required'],
    [{ ...worker, OPENSEARCH_ENDPOINT: undefined }, 'environment variable OPENSEARCH_ENDPOINT is required'],
    [
      { ...worker, LATENESS_HORIZON_MINUTES: 'three hours' },
      'LATENESS_HORIZON_MINUTES must be a whole number from 0 to 10080',
    ],
    [
      { ...worker, SUMMARY_SCHEDULE_MINUTES: '90' },
      'SUMMARY_SCHEDULE_MINUTES must be a whole number from 1 to 60',
    ],
  ])('fails fast naming the variable', (env, message) => {
    expect(() => readWorkerConfig(env)).toThrow(ConfigError);
    expect(() => readWorkerConfig(env)).toThrow(message);
  });

  it('requires the job queue for the dispatcher', () => {
    expect(() => readDispatcherConfig(worker)).toThrow('environment variable JOB_QUEUE_URL is required');
  });
});
