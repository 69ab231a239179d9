import { toEpochMillis, toUtcIso } from '../../contract';

/**
 * The `next` token: the last window start of the page, base64url-encoded JSON. Opaque to callers
 * (its form may change); the request validator checks that it falls inside the requested range.
 */
export function encodePageToken(after: number): string {
  return Buffer.from(JSON.stringify({ after: toUtcIso(after) })).toString('base64url');
}

/** The window start a token continues after, or undefined for anything that is not a token. */
export function decodePageToken(token: string): number | undefined {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const after = (decoded as { after?: unknown } | null)?.after;
    if (typeof after !== 'string') return undefined;
    const millis = toEpochMillis(after);
    return Number.isNaN(millis) ? undefined : millis;
  } catch {
    return undefined;
  }
}
