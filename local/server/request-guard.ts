import type { IncomingMessage } from 'node:http';

const LOOPBACK_NAMES = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/i;

/**
 * Which requests the dashboard routes and `/live` answer, for a server listening on `listenHost`:
 * - a browser's Origin, when sent, must be this same server (the Host header): a page of another
 *   site may neither read the pushes nor run a query (a WebSocket is not covered by CORS);
 * - on a loopback server, the Host header must name this machine: a page whose own domain was
 *   re-bound to 127.0.0.1 (DNS rebinding) sends its domain there.
 * Programs (curl, the `ws` client) send no Origin and a loopback Host, and are let in.
 */
export function requestGuard(listenHost: string): (request: IncomingMessage) => boolean {
  const loopback = LOOPBACK_NAMES.test(
    listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost,
  );
  return (request) => {
    const host = request.headers.host;
    if (host === undefined) return false;
    if (loopback && !LOOPBACK_NAMES.test(hostName(host))) return false;
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    try {
      return new URL(origin).host.toLowerCase() === host.toLowerCase();
    } catch {
      return false;
    }
  };
}

/** `127.0.0.1:4573` → `127.0.0.1`, `[::1]:4573` → `[::1]`. */
export function hostName(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
}
