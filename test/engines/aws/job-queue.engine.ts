import {
  ReceiveMessageCommand,
  type SendMessageBatchRequest,
  type SendMessageBatchRequestEntry,
  type SendMessageBatchResult,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { dispatchAdvertisers } from '../../../lambdas/aggregator/dispatch';
import { parseJobMessage } from '../../../lambdas/aggregator/job';
import type { SummaryJob } from '../../../lambdas/aggregator/ports';
import { SqsJobQueue } from '../../../lambdas/aggregator/sqs/job-queue';
import { FakeEventIndex } from '../../lambdas/aggregator/support/fake-event-index';
import { createJobQueue, motoClientConfig } from './moto';

interface BatchCall {
  readonly entries: number;
  failed: NonNullable<SendMessageBatchResult['Failed']>;
}

/**
 * An SQS client on moto that records each SendMessageBatch (entries sent, entries failed). For
 * the jobs of `refused` advertisers it sets DelaySeconds past SQS's 900 s maximum: that entry is
 * the one moto refuses on its own while storing the rest of the batch (the only per-entry
 * failure moto produces; see moto/sqs/models.py send_message_batch).
 */
function recordingClient(refused: readonly string[] = []): { sqs: SQSClient; calls: BatchCall[] } {
  const sqs = new SQSClient(motoClientConfig());
  const calls: BatchCall[] = [];
  const isRefused = (entry: SendMessageBatchRequestEntry) =>
    refused.includes(parseJobMessage(entry.MessageBody ?? '').advertiserId);
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'SendMessageBatchCommand') return next(args);
      const input = args.input as SendMessageBatchRequest;
      const entries = (input.Entries ?? []).map((entry) =>
        isRefused(entry) ? { ...entry, DelaySeconds: 901 } : entry,
      );
      // Recorded in the order sent: batches are in flight concurrently.
      const call: BatchCall = { entries: entries.length, failed: [] };
      calls.push(call);
      const result = await next({ ...args, input: { ...input, Entries: entries } });
      call.failed = (result.output as SendMessageBatchResult).Failed ?? [];
      return result;
    },
    { step: 'initialize', name: 'recordSendMessageBatch' },
  );
  return { sqs, calls };
}

/** Every message on the queue, read until a receive comes back empty. */
async function drain(sqs: SQSClient, queueUrl: string): Promise<SummaryJob[]> {
  const jobs: SummaryJob[] = [];
  for (;;) {
    const response = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        // Long enough that nothing read comes back while the rest is read.
        VisibilityTimeout: 600,
        WaitTimeSeconds: 0,
      }),
    );
    const messages = response.Messages ?? [];
    if (messages.length === 0) return jobs;
    jobs.push(...messages.map((message) => parseJobMessage(message.Body ?? '')));
  }
}

const jobs = (count: number): SummaryJob[] =>
  Array.from({ length: count }, (_, i) => ({
    advertiserId: `adv-${String(i).padStart(4, '0')}`,
    dispatchedAt: 7,
  }));
const byAdvertiser = (a: SummaryJob, b: SummaryJob) => a.advertiserId.localeCompare(b.advertiserId);

describe('SqsJobQueue on moto', () => {
  it.each([
    [1, [1]],
    [10, [10]],
    [25, [10, 10, 5]],
  ])('enqueues %i jobs in batches of %o, each job once', async (count, sizes) => {
    const { sqs, calls } = recordingClient();
    const queueUrl = await createJobQueue(sqs);

    await new SqsJobQueue(sqs, queueUrl).enqueue(jobs(count));

    expect(calls.map((call) => call.entries)).toEqual(sizes);
    expect(calls.flatMap((call) => call.failed)).toEqual([]);
    expect((await drain(sqs, queueUrl)).sort(byAdvertiser)).toEqual(jobs(count));
  });

  it('stores the rest of a batch SQS partly refused, and throws naming how many failed and why', async () => {
    const refused = ['adv-0003', 'adv-0017'];
    const { sqs, calls } = recordingClient(refused);
    const queueUrl = await createJobQueue(sqs);

    const enqueued = new SqsJobQueue(sqs, queueUrl).enqueue(jobs(25));

    await expect(enqueued).rejects.toThrow(
      /^could not enqueue 2 of 25 summary jobs: InvalidParameterValue \(Value 901 for parameter DelaySeconds is invalid\. .*\); InvalidParameterValue/,
    );
    // A refused entry is the sender's fault: no batch is sent again, so nothing is duplicated.
    expect(calls.map((call) => [call.entries, call.failed.length])).toEqual([
      [10, 1],
      [10, 1],
      [5, 0],
    ]);
    expect(calls.flatMap((call) => call.failed.map((f) => f.SenderFault))).toEqual([true, true]);
    expect((await drain(sqs, queueUrl)).sort(byAdvertiser)).toEqual(
      jobs(25).filter((job) => !refused.includes(job.advertiserId)),
    );
  });

  it('carries a dispatcher run: one job per active advertiser', async () => {
    const { sqs } = recordingClient();
    const queueUrl = await createJobQueue(sqs);
    // One listing page: moto scans the whole queue on every request, so thousands of messages
    // take minutes; paging the event index is covered by the dispatcher's own tests.
    const advertisers = jobs(137).map((job) => job.advertiserId);
    const now = Date.parse('2026-11-22T12:07:00.000Z');

    const outcome = await dispatchAdvertisers({
      eventIndex: new FakeEventIndex(advertisers),
      jobQueue: new SqsJobQueue(sqs, queueUrl),
      clock: () => now,
      settings: { latenessHorizonMinutes: 180, summaryScheduleMinutes: 15 },
    });

    expect(outcome).toEqual({ advertisers: 137, pages: 1 });
    const received = (await drain(sqs, queueUrl)).sort(byAdvertiser);
    expect(received).toEqual(advertisers.map((advertiserId) => ({ advertiserId, dispatchedAt: now })));
  });
});
