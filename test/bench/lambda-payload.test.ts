import { beforeAll, describe, expect, it } from 'vitest';
import {
  AMPLIFYING_SHAPES,
  adversarialMaximum,
  amplifiedShape,
  type EventShape,
  LAMBDA_PAYLOAD_LIMIT_BYTES,
  MIB,
  measurePayload,
  realisticShape,
  responseCeiling,
  type TransformHandler,
  worstOrdinaryShape,
} from '../../bench/lambda-payload.bench';
import { PROCESSOR_BUFFER_MIB } from '../../lib/config';

// The largest processor buffer the stage config accepts, measured through the real handler: both
// payloads must stay under Firehose's Lambda limit with a quarter of it to spare.
const WITH_MARGIN = LAMBDA_PAYLOAD_LIMIT_BYTES * 0.75;
// Records built to grow as much as the growth bound lets them: a tenth of the limit to spare.
const WITH_ADVERSARIAL_MARGIN = LAMBDA_PAYLOAD_LIMIT_BYTES * 0.9;
const FULL_BUFFER = PROCESSOR_BUFFER_MIB.max * MIB;

describe(`a ${PROCESSOR_BUFFER_MIB.max} MiB processor buffer (the largest the config accepts)`, () => {
  let handler: TransformHandler;
  beforeAll(async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    ({ handler } = await import('../../lambdas/transform/handler'));
  });

  it('keeps a batch of realistic records under 75% of the limit each way', async () => {
    const sizes = await measurePayload(handler, realisticShape(), FULL_BUFFER);

    expect(sizes.requestBytes).toBeLessThan(WITH_MARGIN);
    expect(sizes.responseBytes).toBeLessThan(WITH_MARGIN);
  });

  it('keeps a batch of the worst ordinary records under 75% of the limit each way', async () => {
    const { shape } = await worstOrdinaryShape(handler);

    const sizes = await measurePayload(handler, shape, FULL_BUFFER);

    expect(sizes.requestBytes).toBeLessThan(WITH_MARGIN);
    expect(sizes.responseBytes).toBeLessThan(WITH_MARGIN);
  });

  it("bounds the response to a full buffer of any records the transform accepts: the growth bound's ceiling is under 90% of the limit", () => {
    expect(responseCeiling(FULL_BUFFER)).toBeLessThan(WITH_ADVERSARIAL_MARGIN);
  });

  it('keeps the largest response a search of the amplifying record shapes finds, every record Ok, under the ceiling and 90% of the limit', async () => {
    const { amplifiers } = await adversarialMaximum(handler, FULL_BUFFER);

    const sizes = await measurePayload(handler, amplifiedShape(amplifiers), FULL_BUFFER);

    expect(sizes.responseBytes).toBeLessThanOrEqual(responseCeiling(sizes.dataBytes));
    expect(sizes.responseBytes).toBeLessThan(WITH_ADVERSARIAL_MARGIN);
    expect(sizes.requestBytes).toBeLessThan(WITH_MARGIN);
  });

  it.each(Object.entries(AMPLIFYING_SHAPES) as Array<[string, EventShape]>)(
    'answers a batch of records that outgrow the bound (%s) with their own data, no larger than the request',
    async (_name, shape) => {
      const sizes = await measurePayload(handler, shape, FULL_BUFFER, 'ProcessingFailed');

      expect(sizes.responseBytes).toBeLessThan(sizes.requestBytes);
    },
  );
});
