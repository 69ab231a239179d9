import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { fromSummaryJson, type SummaryJson, toSummaryJson } from '../aggregator/summary';

export type SummaryImage =
  | { readonly kind: 'summary'; readonly sequenceNumber: string; readonly summary: SummaryJson }
  /** A record with nothing to push: a removal, or an image without the new item. */
  | { readonly kind: 'skip' }
  /** An image that is not a stored summary; pushing it again would fail again. */
  | { readonly kind: 'invalid'; readonly sequenceNumber: string; readonly reason: string };

/**
 * The summary a stream record carries, in the form the summary API returns: the item is read back
 * as the API reads it (fromSummaryJson) and written as the API writes it (toSummaryJson), so a
 * push and a GET of the same window are the same JSON.
 */
export function summaryFromStreamRecord(record: DynamoDBRecord): SummaryImage {
  const image = record.dynamodb?.NewImage;
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  if (record.eventName === 'REMOVE' || image === undefined || sequenceNumber === undefined)
    return { kind: 'skip' };
  try {
    // aws-lambda's AttributeValue type is the wire form the SDK's type describes.
    const item = unmarshall(image as Record<string, AttributeValue>);
    return { kind: 'summary', sequenceNumber, summary: toSummaryJson(fromSummaryJson(item)) };
  } catch (error) {
    return {
      kind: 'invalid',
      sequenceNumber,
      reason: error instanceof Error ? error.message : String(error),
    };
  }
}
