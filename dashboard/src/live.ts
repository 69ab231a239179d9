import type { Summary } from './summary';

// The live protocol (docs/live-protocol.md): API Gateway WebSocket conventions, routed by `action`.

export interface TailEvent {
  received_at: string;
  outcome: 'ok' | 'dropped' | 'failed';
  reason?: string;
  event: unknown;
}

export type LiveMessage =
  | { type: 'summary'; summary: Summary }
  /** `omitted`: events the server left out since its previous message (a slow reader, a huge delivery). */
  | { type: 'events'; events: TailEvent[]; omitted?: number }
  | { type: 'subscribed' | 'unsubscribed'; advertiser_id?: string; tail?: true }
  | { type: 'error'; error: string; message: string };

export type LiveAction =
  | { action: 'subscribe' | 'unsubscribe'; advertiser_id: string }
  | { action: 'tail' | 'untail' };

export type LiveState = 'connecting' | 'open' | 'closed';

export interface LiveHandlers {
  onMessage(message: LiveMessage): void;
  onState(state: LiveState): void;
}

const MAX_RETRY_MS = 10_000;

/**
 * One WebSocket to `live` beside the page, reopened with backoff when it drops. `ensure` records
 * what the page wants (subscriptions, the tail) and replays it on every (re)connection, so a
 * restarted server resumes the pushes without a reload.
 */
export class LiveConnection {
  private socket: WebSocket | undefined;
  private readonly wanted = new Map<string, LiveAction>();
  private retryMs = 500;
  private closed = false;

  constructor(private readonly handlers: LiveHandlers) {
    this.open();
  }

  /** Sends `action` now (when connected) and after every reconnection, until `drop(key)`. */
  ensure(key: string, action: LiveAction): void {
    this.wanted.set(key, action);
    this.send(action);
  }

  /** Forgets `key` and sends `undo` when connected. */
  drop(key: string, undo: LiveAction): void {
    if (this.wanted.delete(key)) this.send(undo);
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }

  private send(action: LiveAction): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(action));
  }

  private open(): void {
    const url = new URL('live', document.baseURI);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.handlers.onState('connecting');
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.retryMs = 500;
      this.handlers.onState('open');
      for (const action of this.wanted.values()) this.send(action);
    });
    socket.addEventListener('message', (message) => {
      if (typeof message.data !== 'string') return;
      try {
        this.handlers.onMessage(JSON.parse(message.data) as LiveMessage);
      } catch (error) {
        console.error('live: unreadable message', error);
      }
    });
    socket.addEventListener('close', () => {
      this.handlers.onState('closed');
      if (this.closed) return;
      setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    });
  }
}

/** Words for the connection state, for the status line every page shows. */
export function liveStateText(state: LiveState): string {
  return state === 'open'
    ? 'Live: connected'
    : state === 'connecting'
      ? 'Live: connecting…'
      : 'Live: reconnecting…';
}
