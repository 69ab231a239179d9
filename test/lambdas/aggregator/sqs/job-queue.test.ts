import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseJobMessage } from '../../../../lambdas/aggregator/job';
import { SqsJobQueue } from '../../../../lambdas/aggregator/sqs/job-queue';

const sqs = mockClient(SQSClient);
const queue = () => new SqsJobQueue(new SQSClient({ region: 'eu-west-1' }), 'https://sqs.example/jobs');
const jobs = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ advertiserId: `adv-${i}`, dispatchedAt: 1 }));

beforeEach(() => sqs.reset());

describe('SqsJobQueue', () => {
  it.each([
    [1, [1]],
    [10, [10]],
    [25, [10, 10, 5]],
  ])('sends %i jobs in batches of %o', async (count, sizes) => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

    await queue().enqueue(jobs(count));

    const batches = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries ?? []);
    expect(batches.map((entries) => entries.length)).toEqual(sizes);
    const sent = batches.flat().map((entry) => parseJobMessage(entry.MessageBody ?? '').advertiserId);
    expect(sent).toEqual(jobs(count).map((job) => job.advertiserId));
  });

  it('re-sends only the entries SQS failed', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Successful: [], Failed: [] });

    await queue().enqueue(jobs(3));

    const second = sqs.commandCalls(SendMessageBatchCommand)[1]?.args[0].input.Entries ?? [];
    expect(second.map((entry) => parseJobMessage(entry.MessageBody ?? '').advertiserId)).toEqual(['adv-1']);
  });

  it('throws, naming the count and the reason, when entries keep failing', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', Code: 'ServiceUnavailable', SenderFault: false }] });

    await expect(queue().enqueue(jobs(2))).rejects.toThrow(
      'could not enqueue 1 of 2 summary jobs: ServiceUnavailable',
    );
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
  });

  it('re-sends the entries SQS failed for its own reasons beside one it refused as malformed', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Failed: [
          { Id: '0', Code: 'InvalidMessageContents', SenderFault: true },
          { Id: '2', Code: 'InternalError', SenderFault: false },
        ],
      })
      .resolves({ Failed: [] });

    await expect(queue().enqueue(jobs(3))).rejects.toThrow(
      'could not enqueue 1 of 3 summary jobs: InvalidMessageContents',
    );

    const second = sqs.commandCalls(SendMessageBatchCommand)[1]?.args[0].input.Entries ?? [];
    expect(second.map((entry) => parseJobMessage(entry.MessageBody ?? '').advertiserId)).toEqual(['adv-2']);
  });

  it('does not re-send an entry SQS refused as malformed', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', Code: 'InvalidMessageContents', SenderFault: true }] });

    await expect(queue().enqueue(jobs(1))).rejects.toThrow('InvalidMessageContents');
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });
});
