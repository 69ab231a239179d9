/** What the live Lambdas' cores need: the connection table (DynamoDB) and the connections (API Gateway). */

export interface OpenedConnection {
  readonly connectionId: string;
  /** Epoch milliseconds. */
  readonly connectedAt: number;
  /** The IAM caller that opened it (API Gateway's `identity.userArn`), kept for audit. */
  readonly caller?: string;
}

export type SubscribeOutcome = 'subscribed' | 'too_many_subscriptions' | 'unknown_connection';

export interface ConnectionStore {
  /** Records a new connection; it expires with API Gateway's maximum connection duration. */
  open(connection: OpenedConnection): Promise<void>;
  /** Adds a subscription (again is a no-op); refused beyond the per-connection maximum. */
  subscribe(connectionId: string, advertiserId: string, now: number): Promise<SubscribeOutcome>;
  /** Removes a subscription; unknown ones are ignored. */
  unsubscribe(connectionId: string, advertiserId: string): Promise<void>;
  /** Removes a connection and all its subscriptions; an unknown connection is ignored. */
  close(connectionId: string): Promise<void>;
  /** The connections subscribed to an advertiser that have not expired at `now`. */
  subscribers(advertiserId: string, now: number): Promise<string[]>;
}

/** What became of one message posted to one connection. */
export type PostOutcome =
  | { readonly status: 'sent' }
  /** The client has disconnected (API Gateway answered 410 Gone). */
  | { readonly status: 'gone' }
  /** Anything else: throttling, a server error, a refused payload. */
  | { readonly status: 'failed'; readonly error: string; readonly retryable: boolean };

export interface ConnectionPoster {
  post(connectionId: string, data: string): Promise<PostOutcome>;
}
