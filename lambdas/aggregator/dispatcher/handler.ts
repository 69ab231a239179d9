import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import { readDispatcherConfig } from '../config';
import { type DispatchDeps, type DispatchOutcome, dispatchAdvertisers } from '../dispatch';
import { OpenSearchEventIndex, signedOpenSearchClient } from '../opensearch/event-index';
import { SqsJobQueue } from '../sqs/job-queue';

interface Runtime {
  deps: DispatchDeps;
  logger: Logger;
  metrics: Metrics;
}

// Built on the first invocation (not on import) and kept for the life of the process.
let runtime: Runtime | undefined;

function createRuntime(): Runtime {
  const config = readDispatcherConfig(process.env);
  return {
    deps: {
      eventIndex: new OpenSearchEventIndex(signedOpenSearchClient(config.openSearchEndpoint, config.region)),
      jobQueue: new SqsJobQueue(new SQSClient({ region: config.region }), config.jobQueueUrl),
      clock: Date.now,
      settings: config.settings,
    },
    logger: new Logger({ serviceName: config.serviceName }),
    metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
  };
}

/** The scheduled dispatcher: one summary job per advertiser active within the lateness horizon. */
export async function handler(): Promise<DispatchOutcome> {
  runtime ??= createRuntime();
  const { deps, logger, metrics } = runtime;
  try {
    const outcome = await dispatchAdvertisers(deps);
    metrics.addMetric('AdvertisersDispatched', MetricUnit.Count, outcome.advertisers);
    logger.info('summary jobs dispatched', { ...outcome });
    return outcome;
  } finally {
    metrics.publishStoredMetrics();
  }
}
