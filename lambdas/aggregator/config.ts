import { type Environment, requiredText, wholeNumber } from '../shared/env';
import type { SummarySettings } from './windows';

export const DEFAULT_LATENESS_HORIZON_MINUTES = 180;
export const DEFAULT_SUMMARY_SCHEDULE_MINUTES = 15;

/** Settings both the dispatcher and the worker read. */
interface AggregatorConfig {
  /** The OpenSearch domain endpoint (host name, as the CDK Domain's domainEndpoint). */
  readonly openSearchEndpoint: string;
  readonly region: string;
  readonly settings: SummarySettings;
  readonly serviceName: string;
  readonly metricsNamespace: string;
}

export interface DispatcherConfig extends AggregatorConfig {
  readonly jobQueueUrl: string;
}

export interface WorkerConfig extends AggregatorConfig {
  readonly summaryTableName: string;
}

function readAggregatorConfig(env: Environment, defaultServiceName: string): AggregatorConfig {
  return {
    openSearchEndpoint: requiredText(env, 'OPENSEARCH_ENDPOINT'),
    region: requiredText(env, 'AWS_REGION'),
    settings: {
      latenessHorizonMinutes: wholeNumber(
        env,
        'LATENESS_HORIZON_MINUTES',
        DEFAULT_LATENESS_HORIZON_MINUTES,
        0,
        10_080,
      ),
      summaryScheduleMinutes: wholeNumber(
        env,
        'SUMMARY_SCHEDULE_MINUTES',
        DEFAULT_SUMMARY_SCHEDULE_MINUTES,
        1,
        60,
      ),
    },
    serviceName: env.POWERTOOLS_SERVICE_NAME || defaultServiceName,
    metricsNamespace: env.POWERTOOLS_METRICS_NAMESPACE || 'Clickstream',
  };
}

export function readDispatcherConfig(env: Environment): DispatcherConfig {
  return {
    ...readAggregatorConfig(env, 'clickstream-summary-dispatcher'),
    jobQueueUrl: requiredText(env, 'JOB_QUEUE_URL'),
  };
}

export function readWorkerConfig(env: Environment): WorkerConfig {
  return {
    ...readAggregatorConfig(env, 'clickstream-summary-worker'),
    summaryTableName: requiredText(env, 'SUMMARY_TABLE_NAME'),
  };
}
