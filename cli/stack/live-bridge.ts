import { WebSocket } from 'ws';
import { encodeServerMessage, errorMessage, MAX_CLIENT_MESSAGE_BYTES } from '../../lambdas/live/protocol';

/** Why the bridge ended the browser's connection when the stack's side failed or closed. */
export const UPSTREAM_CLOSED = { code: 1011, reason: 'upstream_closed' } as const;

/** What the bridge needs of the browser's socket (a `ws` WebSocket). */
export type BrowserSocket = Pick<WebSocket, 'send' | 'close' | 'on' | 'readyState'>;

/**
 * Joins a browser's `/live` connection to the stack's WebSocket API: one upstream connection per
 * browser connection, opened with a freshly presigned URL, every text frame relayed both ways
 * unchanged (the stack answers the same protocol). Messages the browser sends before the upstream
 * is open wait for it. When either side closes, the other is closed; API Gateway ends every
 * connection after 2 hours, and the dashboard reconnects as it does after any close.
 */
export function bridgeLiveConnection(
  browser: BrowserSocket,
  presignedUrl: () => Promise<string>,
  onError: (error: unknown) => void = () => undefined,
): void {
  const pending: string[] = [];
  let upstream: WebSocket | undefined;
  let closed = false;

  const closeBrowser = () => {
    if (closed) return;
    closed = true;
    browser.close(UPSTREAM_CLOSED.code, UPSTREAM_CLOSED.reason);
  };

  browser.on('message', (data: Buffer, isBinary: boolean) => {
    const text = data.toString('utf8');
    // Refused here as the stack would: a binary or oversized frame never needs the round trip.
    if (isBinary || data.length > MAX_CLIENT_MESSAGE_BYTES) {
      browser.send(
        encodeServerMessage(
          isBinary
            ? errorMessage('not_json', 'send text frames holding JSON')
            : errorMessage('message_too_large', `a message may be at most ${MAX_CLIENT_MESSAGE_BYTES} bytes`),
        ),
      );
      return;
    }
    if (upstream?.readyState === WebSocket.OPEN) upstream.send(text);
    else pending.push(text);
  });
  browser.on('close', () => {
    closed = true;
    upstream?.close(1000);
  });
  browser.on('error', () => undefined);

  presignedUrl().then(
    (url) => {
      if (closed) return;
      const socket = new WebSocket(url);
      upstream = socket;
      socket.on('open', () => {
        for (const text of pending.splice(0)) socket.send(text);
      });
      socket.on('message', (data: Buffer) => {
        if (browser.readyState === WebSocket.OPEN) browser.send(data.toString('utf8'));
      });
      socket.on('unexpected-response', (_request, response) => {
        onError(new Error(`the stack's WebSocket API refused the connection: HTTP ${response.statusCode}`));
        closeBrowser();
      });
      socket.on('error', (error) => {
        onError(error);
        closeBrowser();
      });
      socket.on('close', closeBrowser);
    },
    (error: unknown) => {
      onError(error);
      closeBrowser();
    },
  );
}
