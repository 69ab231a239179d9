import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { readTransformConfig } from './config';
import { logRefusals, publishTally } from './observability';
import type { Enrichers } from './stored-event';
import { transformBatch } from './transform-batch';
import { UserAgentParser } from './user-agent';

interface Runtime {
  enrichers: Enrichers;
  logger: Logger;
  metrics: Metrics;
}

// Built on the first invocation rather than on import, so that importing the handler (the local
// pipeline does) reads no environment; kept for the life of the process, with its UA cache.
let runtime: Runtime | undefined;

function createRuntime(): Runtime {
  const config = readTransformConfig(process.env);
  return {
    enrichers: { config, userAgents: new UserAgentParser(config.userAgentCacheSize) },
    logger: new Logger({ serviceName: config.serviceName }),
    metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
  };
}

/** The Firehose data-transformation Lambda: validate, normalise and enrich one batch of events. */
export async function handler(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> {
  runtime ??= createRuntime();
  const { enrichers, logger, metrics } = runtime;
  const { records, tally } = transformBatch(
    event.records,
    enrichers,
    logRefusals(logger, event.invocationId),
  );
  publishTally(metrics, tally);
  return { records };
}
