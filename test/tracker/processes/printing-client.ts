import type { PutRecordBatchCommand, PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import type { PutRecordBatchClient } from '../../../tracker/index';

/**
 * A client for the child-process scenarios: prints `sent <n>` per accepted request so the parent
 * test can see what was delivered; the first `throttles` requests are refused as throttled.
 */
export function printingClient(throttles = 0): PutRecordBatchClient {
  let refused = 0;
  return {
    async send(command: PutRecordBatchCommand): Promise<PutRecordBatchCommandOutput> {
      const records = command.input.Records ?? [];
      if (refused < throttles) {
        refused++;
        throw Object.assign(new Error('Slow down.'), {
          name: 'ServiceUnavailableException',
          $metadata: { httpStatusCode: 503 },
        });
      }
      process.stdout.write(`sent ${records.length}\n`);
      return { $metadata: {}, FailedPutCount: 0, RequestResponses: records.map(() => ({ RecordId: 'r' })) };
    },
  };
}

export const event = {
  event_type: 'pageview',
  advertiser_id: 'adv-1',
  event_time: '2026-11-22T07:35:00.000Z',
};
