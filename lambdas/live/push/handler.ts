import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { ApiGatewayConnectionPoster } from '../api-gateway/connection-poster';
import { readPushConfig } from '../config';
import { connectionStoreFor } from '../dynamodb/connection-store';
import { PUSH_METRICS } from '../push-metrics';
import { type PushDeps, pushSummaries, type SummaryChange } from '../push-summaries';
import { summaryFromStreamRecord } from '../summary-image';

interface Runtime {
  deps: PushDeps;
  logger: Logger;
  metrics: Metrics;
}

// Built on the first invocation (not on import) and kept for the life of the process.
let runtime: Runtime | undefined;

function createRuntime(): Runtime {
  const config = readPushConfig(process.env);
  return {
    deps: {
      store: connectionStoreFor(config),
      poster: new ApiGatewayConnectionPoster(
        new ApiGatewayManagementApiClient({ region: config.region, endpoint: config.connectionsEndpoint }),
      ),
      clock: Date.now,
      concurrency: config.concurrency,
    },
    logger: new Logger({ serviceName: config.serviceName }),
    metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
  };
}

/**
 * The summary table's stream (new images of inserted and modified items) to the subscribed
 * WebSocket connections. Records whose push may succeed on a retry are reported as batch item
 * failures; Lambda retries from the first of them.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  runtime ??= createRuntime();
  const { deps, logger, metrics } = runtime;
  const changes: SummaryChange[] = [];
  let invalid = 0;
  for (const record of event.Records) {
    const image = summaryFromStreamRecord(record);
    if (image.kind === 'summary') changes.push(image);
    else if (image.kind === 'invalid') {
      invalid++;
      logger.warn('stream image is not a summary; not pushed', { ...image });
    }
  }
  try {
    const outcome = await pushSummaries(changes, deps);
    metrics.addMetric(PUSH_METRICS.sent, MetricUnit.Count, outcome.sent);
    metrics.addMetric(PUSH_METRICS.gone, MetricUnit.Count, outcome.gone);
    metrics.addMetric(PUSH_METRICS.failed, MetricUnit.Count, outcome.failedPosts.length);
    metrics.addMetric(PUSH_METRICS.invalid, MetricUnit.Count, invalid);
    for (const failed of outcome.failedPosts.slice(0, 10)) logger.error('push failed', { ...failed });
    if (outcome.cleanupFailures > 0) {
      logger.warn('closed connections not removed; TTL removes them', { count: outcome.cleanupFailures });
    }
    return { batchItemFailures: outcome.failedSequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })) };
  } finally {
    metrics.publishStoredMetrics();
  }
}
