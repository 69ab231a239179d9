import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { toUtcIso } from '../../../contract';
import type { SummaryPage, SummaryQuery, SummaryStore, UpsertOutcome } from '../ports';
import { fromSummaryJson, toSummaryJson, type WindowSummary } from '../summary';

// Puts in flight at once: a run writes about fifteen windows per advertiser.
const CONCURRENT_PUTS = 16;

/**
 * Summaries in DynamoDB: partition key advertiser_id, sort key window_start (ISO-8601 UTC, whose
 * text order is time order), each item the summary's JSON form.
 */
export class DynamoDbSummaryStore implements SummaryStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async upsert(summaries: readonly WindowSummary[]): Promise<UpsertOutcome> {
    let written = 0;
    for (let i = 0; i < summaries.length; i += CONCURRENT_PUTS) {
      const results = await Promise.all(summaries.slice(i, i + CONCURRENT_PUTS).map((s) => this.put(s)));
      written += results.filter(Boolean).length;
    }
    return { written, stale: summaries.length - written };
  }

  /** True when stored; false when the table already holds a computation at least as recent. */
  private async put(summary: WindowSummary): Promise<boolean> {
    const item = toSummaryJson(summary);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(window_start) OR computed_at < :computedAt',
          ExpressionAttributeValues: { ':computedAt': item.computed_at },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async query(query: SummaryQuery): Promise<SummaryPage> {
    const { advertiserId, range, limit } = query;
    const response = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'advertiser_id = :advertiser AND window_start BETWEEN :first AND :last',
        ExpressionAttributeValues: {
          ':advertiser': advertiserId,
          ':first': toUtcIso(range.from),
          // BETWEEN is inclusive; the range's end is not.
          ':last': toUtcIso(range.to - 1),
        },
        // One item past the page tells whether another page exists, so the last page has no token.
        Limit: limit + 1,
        ...(query.after === undefined
          ? {}
          : { ExclusiveStartKey: { advertiser_id: advertiserId, window_start: toUtcIso(query.after) } }),
      }),
    );
    const items = (response.Items ?? []).map(fromSummaryJson);
    const page = items.slice(0, limit);
    const last = page.at(-1);
    // A response cut at 1 MB has fewer items than asked and a LastEvaluatedKey: more may follow.
    const more = items.length > limit || response.LastEvaluatedKey !== undefined;
    return more && last !== undefined ? { summaries: page, after: last.windowStart } : { summaries: page };
  }
}
