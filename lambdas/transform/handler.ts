import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { readTransformConfig } from './config';
import { logRefusals, publishTally } from './observability';
import { createEnrichers, type Enrichers } from './stored-event';
import { type RefusalSink, transformBatch } from './transform-batch';

export type TransformHandler = (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult>;

export interface TransformHandlerOptions {
  /** Also told about each refused record, after it is logged (the CLI prints the reasons). */
  onRefused?: RefusalSink;
}

interface Runtime {
  enrichers: Enrichers;
  logger: Logger;
  metrics: Metrics;
}

function createRuntime(): Runtime {
  const config = readTransformConfig(process.env);
  return {
    enrichers: createEnrichers(config),
    logger: new Logger({ serviceName: config.serviceName }),
    metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
  };
}

/**
 * A Firehose data-transformation handler. Its configuration, logger, metrics and user-agent cache
 * are built on the first invocation rather than on import, so importing it (the local pipeline
 * does) reads no environment; they are kept for the life of the process.
 */
export function createTransformHandler(options: TransformHandlerOptions = {}): TransformHandler {
  let runtime: Runtime | undefined;
  return async (event) => {
    runtime ??= createRuntime();
    const { enrichers, logger, metrics } = runtime;
    const log = logRefusals(logger, event.invocationId);
    const observe = options.onRefused;
    const onRefused: RefusalSink =
      observe === undefined
        ? log
        : (recordId, refusal) => {
            log(recordId, refusal);
            observe(recordId, refusal);
          };
    const { records, tally } = transformBatch(event.records, enrichers, onRefused);
    publishTally(metrics, tally);
    return { records };
  };
}

/** The Lambda entry point: validate, normalise and enrich one Firehose batch of events. */
export const handler: TransformHandler = createTransformHandler();
