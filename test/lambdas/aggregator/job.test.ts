import { describe, expect, it } from 'vitest';
import { jobMessageBody, PoisonJobError, parseJobMessage } from '../../../lambdas/aggregator/job';

describe('job messages', () => {
  it('read back what the dispatcher wrote', () => {
    const job = { advertiserId: 'adv_1-x', dispatchedAt: 1_795_349_220_000 };

    expect(parseJobMessage(jobMessageBody(job))).toEqual(job);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['no advertiser', '{"dispatched_at":1}', /advertiser_id/],
    ['an advertiser outside the contract', '{"advertiser_id":"../x","dispatched_at":1}', /advertiser_id/],
    ['no dispatch time', '{"advertiser_id":"a"}', /dispatched_at/],
  ])('are poison when %s', (_case, body, message) => {
    expect(() => parseJobMessage(body)).toThrow(PoisonJobError);
    expect(() => parseJobMessage(body)).toThrow(message);
  });
});
