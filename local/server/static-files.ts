import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replyText } from './http-reply';

/** Where `npm run dashboard:build` (run by `npm install`'s prepare step) writes the dashboard. */
export const DASHBOARD_DIST_DIR = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * What a page of the dashboard may load: only this server's files, its API and its WebSocket
 * ('self' covers ws: on the same host and port). The browser then enforces that no request leaves
 * the machine, and an injected script or a page framed by another site has nothing to run with.
 * Chart.js styles its canvas through the DOM, which style-src does not restrict.
 */
export const DASHBOARD_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The file under `root` that a URL path names, or undefined when the path cannot name one: a path
 * that does not decode, holds a NUL or a backslash, or leaves `root` once resolved (`..`, an
 * absolute path). `/` and a path ending in `/` name the folder's index.html.
 */
export function staticFileFor(root: string, urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (!path.startsWith('/') || path.includes('\0') || path.includes('\\')) return undefined;
  if (path.endsWith('/')) path = `${path}index.html`;
  const base = resolve(root);
  const file = resolve(base, `.${path}`);
  const inside = relative(base, file);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || resolve(base, inside) !== file) {
    return undefined;
  }
  // Dot files (an editor's swap file, .DS_Store) are not part of the build.
  if (inside.split(sep).some((part) => part.startsWith('.'))) return undefined;
  return join(base, inside);
}

/**
 * Serves GET/HEAD of a file of the built dashboard. Answers 404 for anything else under the root,
 * and, when the dashboard was never built, a page saying how to build it. Returns false when the
 * path names no file there (the caller answers).
 */
export async function serveStatic(
  root: string,
  urlPath: string,
  method: string,
  response: ServerResponse,
): Promise<boolean> {
  const file = staticFileFor(root, urlPath);
  if (file === undefined) return false;
  const found = await stat(file).catch(() => undefined);
  if (found === undefined || !found.isFile()) {
    if (urlPath === '/' || urlPath === '/index.html') {
      const built = await stat(root).catch(() => undefined);
      if (built === undefined) {
        replyText(response, 503, 'text/html', notBuiltPage(root));
        return true;
      }
    }
    return false;
  }
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': found.size,
    // Vite names assets by content hash; the pages themselves must be fetched afresh.
    'cache-control': urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': DASHBOARD_CONTENT_SECURITY_POLICY,
    'referrer-policy': 'no-referrer',
  });
  if (method === 'HEAD') {
    response.end();
    return true;
  }
  await new Promise<void>((done, fail) => {
    const stream = createReadStream(file);
    stream.once('error', fail);
    response.once('finish', done);
    response.once('close', done);
    stream.pipe(response);
  });
  return true;
}

function notBuiltPage(root: string): string {
  const where = root.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>clickstream: dashboard not built</title></head>
<body>
<h1>The dashboard is not built</h1>
<p>This server serves the dashboard from <code>${where}</code>, which does not exist.
Build it with <code>npm run dashboard:build</code> (<code>npm install</code> runs it), then reload this page.</p>
<p>The summary API (<code>/advertisers/{id}/summaries</code>), the <code>/api/</code> routes and the
live WebSocket (<code>/live</code>) work without it; see docs/live.md.</p>
</body></html>
`;
}
