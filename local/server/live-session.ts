import {
  acknowledgement,
  encodeServerMessage,
  errorMessage,
  eventsMessage,
  type LiveTailEvent,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  parseClientMessage,
  refusal,
  type ServerMessage,
} from '../../lambdas/live/protocol';

/** What a session needs of a WebSocket (ws's WebSocket has it); a test gives a fake. */
export interface LiveSocket {
  send(data: string): void;
  /** Bytes handed to send() and not yet written to the network: the connection's send queue. */
  readonly bufferedAmount: number;
  close(code: number, reason: string): void;
}

/** How much a connection may hold unsent (see LiveSession). */
export interface SendLimits {
  /** Above this, live-tail messages are skipped (and counted in the next one's `omitted`). */
  tailBytes: number;
  /** A message that would take the queue above this closes the connection (`slow_consumer`). */
  maxBytes: number;
}

export const DEFAULT_SEND_LIMITS: SendLimits = { tailBytes: 256 * 1024, maxBytes: 4 * 1024 * 1024 };

/**
 * Close code for a reader too slow for its pushes: 1013 ("try again later") in RFC 6455's registry.
 * The close reason starts with `slow_consumer`, the typed code.
 */
export const SLOW_CONSUMER_CLOSE = { code: 1013, reason: 'slow_consumer' } as const;

/** What the hub learns from a message a session acted on, to keep its subscriber index. */
export type SessionChange =
  | { kind: 'subscribed' | 'unsubscribed'; advertiserId: string }
  | { kind: 'tail' | 'untail' }
  | { kind: 'none' };

/**
 * One `/live` connection: its subscriptions, whether it follows the tail, and a bounded send queue.
 * Every client message gets one answer (an acknowledgement or a typed error) and none closes the
 * connection. Summaries and answers are never dropped: when one would take the unsent bytes past
 * `maxBytes`, the connection is closed with SLOW_CONSUMER_CLOSE (the client reconnects and
 * re-subscribes; the summary API has every window). Tail messages are a sample anyway, so past
 * `tailBytes` they are skipped and the next one says how many events were left out.
 */
export class LiveSession {
  readonly subscriptions = new Set<string>();
  tail = false;
  private omitted = 0;
  private closed = false;

  constructor(
    private readonly socket: LiveSocket,
    private readonly limits: SendLimits = DEFAULT_SEND_LIMITS,
    /** Called once the session closed a slow connection (the hub ends it for good if the close hangs). */
    private readonly onClosedSlow: () => void = () => undefined,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** A text frame from the client (or a binary one, answered `not_json`). */
  receive(data: string | Buffer, isBinary: boolean): SessionChange {
    if (isBinary) {
      this.send(errorMessage('not_json', 'send text frames holding JSON; binary frames are not read'));
      return { kind: 'none' };
    }
    const parsed = parseClientMessage(typeof data === 'string' ? data : data.toString('utf8'));
    if (!parsed.ok) {
      this.send(refusal(parsed));
      return { kind: 'none' };
    }
    const { message } = parsed;
    switch (message.action) {
      case 'subscribe': {
        const already = this.subscriptions.has(message.advertiserId);
        if (!already && this.subscriptions.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          this.send(
            errorMessage(
              'too_many_subscriptions',
              `a connection may follow at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} advertisers; unsubscribe from one first`,
            ),
          );
          return { kind: 'none' };
        }
        this.subscriptions.add(message.advertiserId);
        this.send(acknowledgement(message));
        return { kind: 'subscribed', advertiserId: message.advertiserId };
      }
      case 'unsubscribe':
        this.subscriptions.delete(message.advertiserId);
        this.send(acknowledgement(message));
        return { kind: 'unsubscribed', advertiserId: message.advertiserId };
      case 'tail':
        this.tail = true;
        this.send(acknowledgement(message));
        return { kind: 'tail' };
      case 'untail':
        this.tail = false;
        this.omitted = 0;
        this.send(acknowledgement(message));
        return { kind: 'untail' };
    }
  }

  /** A summary push, already encoded (one encoding for every subscriber). */
  sendEncoded(text: string): void {
    if (this.closed) return;
    if (this.socket.bufferedAmount + Buffer.byteLength(text) > this.limits.maxBytes) {
      this.closeSlow();
      return;
    }
    this.socket.send(text);
  }

  /** Tail events; skipped while the client is behind, and counted in the next message sent. */
  sendEvents(events: LiveTailEvent[], omittedBefore = 0): void {
    if (this.closed || !this.tail) return;
    if (this.socket.bufferedAmount > this.limits.tailBytes) {
      this.omitted += events.length + omittedBefore;
      return;
    }
    const text = encodeServerMessage(eventsMessage(events, this.omitted + omittedBefore));
    this.omitted = 0;
    this.sendEncoded(text);
  }

  send(message: ServerMessage): void {
    this.sendEncoded(encodeServerMessage(message));
  }

  /** The session ends (the socket closed, or the hub closed it). */
  end(): void {
    this.closed = true;
    this.subscriptions.clear();
    this.tail = false;
  }

  private closeSlow(): void {
    this.closed = true;
    this.socket.close(
      SLOW_CONSUMER_CLOSE.code,
      `${SLOW_CONSUMER_CLOSE.reason}: more than ${this.limits.maxBytes} bytes unread; reconnect and subscribe again`,
    );
    this.onClosedSlow();
  }
}
