import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';
import type {
  AdvertiserAggregation,
  AdvertiserAggregationRequest,
  AdvertiserPage,
  EventIndex,
} from '../ports';
import type { TimeRange } from '../windows';
import { aggregateAdvertiserBody, EVENTS_INDEX_PATTERN, listAdvertisersBody } from './requests';
import { parseAdvertiserAggregation, parseAdvertiserPage } from './responses';

/** The event index on AWS: the domain's `events-*` indices, one document per event_id. */
export class OpenSearchEventIndex implements EventIndex {
  constructor(private readonly client: Client) {}

  async listActiveAdvertisers(
    range: TimeRange,
    page: { size: number; after?: string },
  ): Promise<AdvertiserPage> {
    const response = await this.client.search({
      index: EVENTS_INDEX_PATTERN,
      body: listAdvertisersBody(range, page.size, page.after),
    });
    return parseAdvertiserPage(response.body, page.size);
  }

  async aggregateAdvertiser(request: AdvertiserAggregationRequest): Promise<AdvertiserAggregation> {
    const response = await this.client.search({
      index: EVENTS_INDEX_PATTERN,
      body: aggregateAdvertiserBody(request),
    });
    return parseAdvertiserAggregation(response.body);
  }
}

/** A client for an Amazon OpenSearch Service domain, signing each request with the function's role. */
export function signedOpenSearchClient(endpoint: string, region: string): Client {
  return new Client({
    ...AwsSigv4Signer({ region, service: 'es', getCredentials: defaultProvider() }),
    // The CDK's domainEndpoint is a bare host name; a full URL is taken as given.
    node: endpoint.includes('://') ? endpoint : `https://${endpoint}`,
  });
}
