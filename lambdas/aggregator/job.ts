import { isAdvertiserId } from './advertiser-id';
import type { SummaryJob } from './ports';

/** The SQS message body of a summary job. */
interface JobMessage {
  advertiser_id: string;
  dispatched_at: number;
}

export function jobMessageBody(job: SummaryJob): string {
  const message: JobMessage = { advertiser_id: job.advertiserId, dispatched_at: job.dispatchedAt };
  return JSON.stringify(message);
}

/** Thrown for a message no retry can fix; after maxReceiveCount attempts SQS moves it to the DLQ. */
export class PoisonJobError extends Error {
  override name = 'PoisonJobError';
}

export function parseJobMessage(body: string): SummaryJob {
  let message: Partial<JobMessage>;
  try {
    message = JSON.parse(body) as Partial<JobMessage>;
  } catch {
    throw new PoisonJobError(`job message is not JSON: ${body.slice(0, 200)}`);
  }
  if (typeof message.advertiser_id !== 'string' || !isAdvertiserId(message.advertiser_id)) {
    throw new PoisonJobError(`job message has no valid advertiser_id: ${body.slice(0, 200)}`);
  }
  if (typeof message.dispatched_at !== 'number' || !Number.isSafeInteger(message.dispatched_at)) {
    throw new PoisonJobError(`job message has no valid dispatched_at: ${body.slice(0, 200)}`);
  }
  return { advertiserId: message.advertiser_id, dispatchedAt: message.dispatched_at };
}
