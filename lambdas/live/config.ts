import { type Environment, requiredText, wholeNumber } from '../shared/env';

/** What every live Lambda reads: the connection table. */
export interface LiveConfig {
  readonly connectionTableName: string;
  readonly region: string;
  readonly serviceName: string;
}

export interface PushConfig extends LiveConfig {
  /** The WebSocket stage's management endpoint (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`). */
  readonly connectionsEndpoint: string;
  /** PostToConnection calls in flight at once. */
  readonly concurrency: number;
  readonly metricsNamespace: string;
}

export const DEFAULT_PUSH_CONCURRENCY = 25;

export function readLiveConfig(env: Environment, defaultServiceName: string): LiveConfig {
  return {
    connectionTableName: requiredText(env, 'CONNECTION_TABLE_NAME'),
    region: requiredText(env, 'AWS_REGION'),
    serviceName: env.POWERTOOLS_SERVICE_NAME || defaultServiceName,
  };
}

export function readPushConfig(env: Environment): PushConfig {
  return {
    ...readLiveConfig(env, 'clickstream-live-push'),
    connectionsEndpoint: requiredText(env, 'CONNECTIONS_ENDPOINT'),
    concurrency: wholeNumber(env, 'PUSH_CONCURRENCY', DEFAULT_PUSH_CONCURRENCY, 1, 200),
    metricsNamespace: env.POWERTOOLS_METRICS_NAMESPACE || 'Clickstream',
  };
}
