import { type Environment, requiredText } from '../shared/env';

export interface SummaryApiConfig {
  readonly summaryTableName: string;
  readonly region: string;
  readonly serviceName: string;
}

export function readSummaryApiConfig(env: Environment): SummaryApiConfig {
  return {
    summaryTableName: requiredText(env, 'SUMMARY_TABLE_NAME'),
    region: requiredText(env, 'AWS_REGION'),
    serviceName: env.POWERTOOLS_SERVICE_NAME || 'clickstream-summary-api',
  };
}
