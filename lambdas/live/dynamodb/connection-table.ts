/**
 * The live connection table, one definition for the CDK table (lib/live-updates.ts) and the table
 * the engine suite creates on moto. Two kinds of item share it:
 * - a connection: pk `connection#<connectionId>`, sk `connection`, with the advertisers it follows
 *   (a string set), when it connected, who it is (the IAM caller) and when it expires;
 * - a subscription: pk `advertiser#<advertiserId>`, sk `<connectionId>`, with the same expiry.
 * The push Lambda's lookup, "the connections subscribed to advertiser X", is one Query on
 * `advertiser#X`; a disconnect reads the connection item to find its subscriptions.
 */
export const CONNECTION_TABLE_KEY = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Epoch seconds after which DynamoDB's TTL deletes an item (and readers ignore it). */
export const EXPIRY_ATTRIBUTE = 'expires_at';

/**
 * API Gateway closes a WebSocket connection after 2 hours whatever happens; an item outlives its
 * connection by a minute so that a push racing the close still finds it and learns it is gone.
 */
export const CONNECTION_LIFETIME_SECONDS = 2 * 3600 + 60;

export const CONNECTION_SORT_KEY = 'connection';

export function connectionKey(connectionId: string): Record<string, string> {
  return { pk: `connection#${connectionId}`, sk: CONNECTION_SORT_KEY };
}

export function subscriptionKey(advertiserId: string, connectionId: string): Record<string, string> {
  return { pk: advertiserPartition(advertiserId), sk: connectionId };
}

export function advertiserPartition(advertiserId: string): string {
  return `advertiser#${advertiserId}`;
}
