import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { type SummaryJson, toSummaryJson, type WindowSummary } from '../../lambdas/aggregator/summary';
import { encodeServerMessage, type LiveTailEvent, summaryMessage } from '../../lambdas/live/protocol';
import { DEFAULT_SEND_LIMITS, LiveSession, type LiveSocket, type SendLimits } from './live-session';
import { requestGuard } from './request-guard';

export interface LiveHubOptions {
  /** Seconds between pings; a connection that has not answered the previous ping is ended. @default 30 */
  pingIntervalSeconds?: number;
  /** @default DEFAULT_SEND_LIMITS (256 KiB for the tail, 4 MiB in all) */
  sendLimits?: SendLimits;
  /** @default 100 */
  maxConnections?: number;
  /**
   * Whether a request may open a connection, given its Host and Origin headers (a browser page of
   * another site must not read the pushes). @default requestGuard('127.0.0.1')
   */
  allowRequest?: (request: IncomingMessage) => boolean;
}

/** What the hub needs of a connection: ws's WebSocket, or a test's fake. */
export interface HubSocket extends LiveSocket {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): unknown;
  on(event: 'pong' | 'close' | 'error', listener: () => void): unknown;
  once(event: 'close', listener: () => void): unknown;
  ping(): void;
  terminate(): void;
}

/** Bytes of the largest frame read. Messages up to this size get a typed answer (too large ones `message_too_large`); bigger frames end the connection with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;

// How long a connection closed as a slow consumer may take to finish its close handshake.
const CLOSE_GRACE_MS = 5_000;
// How long a stopping server waits for each client's answer to its close.
const STOP_GRACE_MS = 1_000;

/**
 * The `/live` WebSocket endpoint (docs/live.md): sessions, who follows which advertiser, who
 * follows the tail, and the pushes. The summary store's writes (LiveSummaryStore) and the delivery
 * stream's per-record outcomes (the tail) are published here.
 */
export class LiveHub {
  private readonly server: WebSocketServer;
  private readonly sessions = new Map<HubSocket, LiveSession>();
  private readonly alive = new Set<HubSocket>();
  private readonly subscribers = new Map<string, Set<LiveSession>>();
  private readonly tailers = new Set<LiveSession>();
  private readonly ping: NodeJS.Timeout;
  private readonly options: Required<LiveHubOptions>;

  constructor(options: LiveHubOptions = {}) {
    this.options = {
      pingIntervalSeconds: options.pingIntervalSeconds ?? 30,
      sendLimits: options.sendLimits ?? DEFAULT_SEND_LIMITS,
      maxConnections: options.maxConnections ?? 100,
      allowRequest: options.allowRequest ?? requestGuard('127.0.0.1'),
    };
    this.server = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, clientTracking: false });
    this.ping = setInterval(() => this.pingAll(), this.options.pingIntervalSeconds * 1000).unref();
  }

  /** Takes over an HTTP upgrade request for `/live`; anything else is refused with an HTTP status. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const refused =
      path !== '/live'
        ? '404 Not Found'
        : !this.options.allowRequest(request)
          ? '403 Forbidden'
          : this.sessions.size >= this.options.maxConnections
            ? '503 Service Unavailable'
            : undefined;
    if (refused !== undefined) {
      socket.end(`HTTP/1.1 ${refused}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
  }

  /** Whether anyone follows the tail: the delivery stream builds tail events only then. */
  wantsTail(): boolean {
    return this.tailers.size > 0;
  }

  /** Whether anyone follows this advertiser. */
  isFollowed(advertiserId: string): boolean {
    return (this.subscribers.get(advertiserId)?.size ?? 0) > 0;
  }

  /** Pushes each stored window to the sessions subscribed to its advertiser, in the API's JSON form. */
  publishSummaries(summaries: readonly WindowSummary[]): void {
    for (const summary of summaries) {
      const sessions = this.subscribers.get(summary.advertiserId);
      if (sessions === undefined || sessions.size === 0) continue;
      this.publishSummaryJson(toSummaryJson(summary), sessions);
    }
  }

  /** Sends tail events to every session following the tail. */
  publishEvents(events: LiveTailEvent[], omitted = 0): void {
    for (const session of this.tailers) session.sendEvents(events, omitted);
  }

  /** Open connections. */
  get connections(): number {
    return this.sessions.size;
  }

  /** Ends every connection (1001 going away, cut after a second without the client's answer) and stops pinging. */
  async close(): Promise<void> {
    clearInterval(this.ping);
    await Promise.all(
      [...this.sessions].map(
        ([ws, session]) =>
          new Promise<void>((done) => {
            this.forget(ws, session);
            ws.once('close', () => done());
            ws.close(1001, 'server_stopping');
            setTimeout(() => {
              ws.terminate();
              done();
            }, STOP_GRACE_MS).unref();
          }),
      ),
    );
    this.server.close();
  }

  private publishSummaryJson(summary: SummaryJson, sessions: Set<LiveSession>): void {
    const text = encodeServerMessage(summaryMessage(summary));
    for (const session of sessions) session.sendEncoded(text);
  }

  /** Serves one open connection (handleUpgrade's, or a test's fake socket). */
  accept(ws: HubSocket): void {
    const session = new LiveSession(ws, this.options.sendLimits, () => {
      this.forget(ws, session);
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    });
    this.sessions.set(ws, session);
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (session.isClosed) return;
      const change = session.receive(data, isBinary);
      switch (change.kind) {
        case 'subscribed': {
          const sessions = this.subscribers.get(change.advertiserId) ?? new Set();
          sessions.add(session);
          this.subscribers.set(change.advertiserId, sessions);
          break;
        }
        case 'unsubscribed':
          this.unsubscribe(session, change.advertiserId);
          break;
        case 'tail':
          this.tailers.add(session);
          break;
        case 'untail':
          this.tailers.delete(session);
          break;
      }
    });
    ws.on('close', () => this.forget(ws, session));
    // A socket error (a reset) is followed by 'close'; without a listener it would be thrown.
    ws.on('error', () => undefined);
  }

  private unsubscribe(session: LiveSession, advertiserId: string): void {
    const sessions = this.subscribers.get(advertiserId);
    sessions?.delete(session);
    if (sessions?.size === 0) this.subscribers.delete(advertiserId);
  }

  private forget(ws: HubSocket, session: LiveSession): void {
    for (const advertiserId of session.subscriptions) this.unsubscribe(session, advertiserId);
    this.tailers.delete(session);
    session.end();
    this.sessions.delete(ws);
    this.alive.delete(ws);
  }

  private pingAll(): void {
    for (const [ws, session] of this.sessions) {
      if (!this.alive.has(ws)) {
        // No pong since the last ping: the peer is gone without a close (a laptop lid, a dead network).
        this.forget(ws, session);
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }
}
