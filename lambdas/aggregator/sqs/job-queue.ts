import {
  type BatchResultErrorEntry,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { jobMessageBody } from '../job';
import type { JobQueue, SummaryJob } from '../ports';

/** SendMessageBatch takes at most 10 messages. */
const BATCH_SIZE = 10;
// Batches in flight at once: 100,000 advertisers are 10,000 batches.
const CONCURRENT_BATCHES = 10;
// Entries SQS refuses for its own reasons (throttling, internal errors) are sent again this often.
const ATTEMPTS = 3;

/** Summary jobs on SQS, one message per advertiser. */
export class SqsJobQueue implements JobQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(jobs: readonly SummaryJob[]): Promise<void> {
    const batches: SendMessageBatchRequestEntry[][] = [];
    for (let i = 0; i < jobs.length; i += BATCH_SIZE) {
      batches.push(
        jobs
          .slice(i, i + BATCH_SIZE)
          .map((job, index) => ({ Id: String(index), MessageBody: jobMessageBody(job) })),
      );
    }
    const failures: string[] = [];
    for (let i = 0; i < batches.length; i += CONCURRENT_BATCHES) {
      const results = await Promise.all(
        batches.slice(i, i + CONCURRENT_BATCHES).map((b) => this.sendBatch(b)),
      );
      failures.push(...results.flat());
    }
    if (failures.length > 0) {
      throw new Error(
        `could not enqueue ${failures.length} of ${jobs.length} summary jobs: ${failures.slice(0, 5).join('; ')}`,
      );
    }
  }

  /** Sends one batch, re-sending the entries SQS failed for its own reasons; returns what still failed. */
  private async sendBatch(batch: SendMessageBatchRequestEntry[]): Promise<string[]> {
    const describe = (f: BatchResultErrorEntry) => `${f.Code}${f.Message ? ` (${f.Message})` : ''}`;
    let pending = batch;
    const refused: string[] = [];
    let failures: string[] = [];
    for (let attempt = 1; attempt <= ATTEMPTS && pending.length > 0; attempt++) {
      const response = await this.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }),
      );
      const failed = response.Failed ?? [];
      // A sender fault (a malformed entry) fails the same way every time: only the others are resent.
      refused.push(...failed.filter((f) => f.SenderFault).map(describe));
      const retriable = failed.filter((f) => !f.SenderFault);
      failures = retriable.map(describe);
      const retriableIds = new Set(retriable.map((f) => f.Id));
      pending = pending.filter((entry) => retriableIds.has(entry.Id));
    }
    return [...refused, ...failures];
  }
}
