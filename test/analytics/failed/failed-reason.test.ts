import { describe, expect, it } from 'vitest';
import { verdictsFor } from '../../../analytics/failed/failed-events';
import { deriveReason, NO_LONGER_REFUSED } from '../../../analytics/failed/failed-reason';
import type { FailedRecord } from '../../../contract';
import { readTransformConfig } from '../../../lambdas/transform/config';
import { ARRIVAL, base64Line, processingFailed, wireEvent } from './fixtures';

const verdicts = verdictsFor(readTransformConfig({}));

const storedEvent = {
  ...wireEvent('s-1', { event_time: '2026-11-22T07:34:12.000Z' }),
  received_at: '2026-11-22T07:35:12.000Z',
  derived_event_time: '2026-11-22T07:34:12.000Z',
};

function indexFailure(document: unknown, errorCode: string, errorMessage: string): FailedRecord {
  return {
    ...processingFailed(base64Line(document)),
    errorCode,
    errorMessage,
    esIndexName: 'incoming-2026-11-22',
  };
}

describe('deriving why a processing-failed record failed', () => {
  it.each([
    ['a refused record', processingFailed(base64Line('{')), 'invalid_json'],
    [
      'a valid record of a failed invocation',
      processingFailed(base64Line(wireEvent('a')), ARRIVAL, 'Lambda.FunctionError'),
      'Lambda.FunctionError',
    ],
    [
      'an invalid record of a failed invocation',
      processingFailed(
        base64Line(wireEvent('a', { advertiser_id: '../x' })),
        ARRIVAL,
        'Lambda.FunctionError',
      ),
      'invalid_advertiser_id',
    ],
    ['a record nothing refuses any more', processingFailed(base64Line(wireEvent('a'))), NO_LONGER_REFUSED],
  ])('%s', (_, record, reason) => {
    expect(deriveReason(record, 'processing-failed', verdicts).reason).toBe(reason);
  });

  it('gives the field and the message of a typed reason', () => {
    const record = processingFailed(base64Line(wireEvent('a', { event_type: 'Bad Type' })));

    expect(deriveReason(record, 'processing-failed', verdicts)).toEqual({
      reason: 'invalid_event_type',
      refusal: { reason: 'invalid_event_type', field: '/event_type', message: expect.any(String) },
    });
  });
});

describe('deriving why the event index refused a document', () => {
  it.each([
    [
      "OpenSearch's error type",
      indexFailure(storedEvent, '400', '{"type":"mapper_parsing_exception","reason":"failed to parse"}'),
      'mapper_parsing_exception',
    ],
    [
      'the error code when the message is no OpenSearch error',
      indexFailure(storedEvent, '503', 'index unavailable'),
      'index_503',
    ],
    [
      "the stored format's refusal of a document that breaks it",
      indexFailure({ ...storedEvent, received_at: undefined }, '400', 'x'),
      'missing_required_field',
    ],
    ['the decoding refusal of a document that is not JSON', indexFailure('{', '400', 'x'), 'invalid_json'],
  ])('%s', (_, record, reason) => {
    expect(deriveReason(record, 'AmazonOpenSearchService-failed', verdicts).reason).toBe(reason);
  });
});
