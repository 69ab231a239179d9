import type {
  AdvertiserAggregation,
  AdvertiserAggregationRequest,
  AdvertiserPage,
  EventIndex,
} from '../../../../lambdas/aggregator/ports';
import type { TimeRange } from '../../../../lambdas/aggregator/windows';

/** An EventIndex that answers from canned values and records what it was asked. */
export class FakeEventIndex implements EventIndex {
  readonly aggregationRequests: AdvertiserAggregationRequest[] = [];
  readonly listings: { range: TimeRange; size: number; after?: string }[] = [];

  constructor(
    private readonly advertisers: readonly string[] = [],
    private readonly aggregation: AdvertiserAggregation = { windows: [], lateArrivals: [] },
  ) {}

  async listActiveAdvertisers(
    range: TimeRange,
    page: { size: number; after?: string },
  ): Promise<AdvertiserPage> {
    this.listings.push({ range, ...page });
    const start = page.after === undefined ? 0 : this.advertisers.indexOf(page.after) + 1;
    const advertiserIds = this.advertisers.slice(start, start + page.size);
    const last = advertiserIds.at(-1);
    return advertiserIds.length === page.size && last !== undefined
      ? { advertiserIds, next: last }
      : { advertiserIds };
  }

  async aggregateAdvertiser(request: AdvertiserAggregationRequest): Promise<AdvertiserAggregation> {
    this.aggregationRequests.push(request);
    return this.aggregation;
  }
}
