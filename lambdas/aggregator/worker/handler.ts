import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { readWorkerConfig } from '../config';
import { DynamoDbSummaryStore } from '../dynamodb/summary-store';
import { parseJobMessage } from '../job';
import { OpenSearchEventIndex, signedOpenSearchClient } from '../opensearch/event-index';
import { type SummarizeDeps, summarizeAdvertiser } from '../summarize';

interface Runtime {
  deps: SummarizeDeps;
  logger: Logger;
  metrics: Metrics;
  processor: BatchProcessor;
}

// Built on the first invocation (not on import) and kept for the life of the process.
let runtime: Runtime | undefined;

function createRuntime(): Runtime {
  const config = readWorkerConfig(process.env);
  return {
    deps: {
      eventIndex: new OpenSearchEventIndex(signedOpenSearchClient(config.openSearchEndpoint, config.region)),
      summaryStore: new DynamoDbSummaryStore(
        DynamoDBDocumentClient.from(new DynamoDBClient({ region: config.region })),
        config.summaryTableName,
      ),
      clock: Date.now,
      settings: config.settings,
    },
    logger: new Logger({ serviceName: config.serviceName }),
    metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
    processor: new BatchProcessor(EventType.SQS),
  };
}

/**
 * The summary worker: one SQS message is one advertiser's job. A failed job is reported alone
 * (ReportBatchItemFailures) and retried by SQS until maxReceiveCount sends it to the DLQ.
 */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  runtime ??= createRuntime();
  const { deps, logger, metrics, processor } = runtime;
  const summarizeJob = async (record: SQSRecord) => {
    try {
      const job = parseJobMessage(record.body);
      const outcome = await summarizeAdvertiser(deps, job.advertiserId);
      metrics.addMetric('SummariesWritten', MetricUnit.Count, outcome.windowsWritten);
      metrics.addMetric('SummariesStale', MetricUnit.Count, outcome.windowsStale);
      metrics.addMetric('LateEvents', MetricUnit.Count, outcome.lateEvents);
      metrics.addMetric('JobQueueLag', MetricUnit.Milliseconds, deps.clock() - job.dispatchedAt);
      logger.info('advertiser summarised', { ...outcome });
    } catch (error) {
      logger.error('summary job failed', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error,
      });
      throw error;
    }
  };
  try {
    const response = await processPartialResponse(event, summarizeJob, processor, { context });
    metrics.addMetric('JobsFailed', MetricUnit.Count, response.batchItemFailures.length);
    return response;
  } finally {
    metrics.publishStoredMetrics();
  }
}
