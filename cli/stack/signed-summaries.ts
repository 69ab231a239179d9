import type { SignatureV4 } from '@smithy/signature-v4';
import type { SummariesPort } from '../../local/server/dashboard-routes';

/**
 * The summary API port over a deployed stack: each request goes to the stack's API, signed with
 * SigV4, and its status and JSON body come back unchanged, so the dashboard sees what the
 * Lambda answered. An unreachable API or a non-JSON answer is a 502 with a typed error.
 */
export function signedSummaries(
  apiUrl: string,
  signer: SignatureV4,
  fetchImpl: typeof fetch = fetch,
): SummariesPort {
  const base = new URL(apiUrl);
  return async (request) => {
    const path = `${base.pathname.replace(/\/$/, '')}/advertisers/${encodeURIComponent(request.advertiserId ?? '')}/summaries`;
    const query: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.parameters))
      if (value !== undefined) query[name] = value;
    const signed = await signer.sign({
      method: 'GET',
      protocol: base.protocol,
      hostname: base.hostname,
      ...(base.port === '' ? {} : { port: Number(base.port) }),
      path,
      query,
      headers: { host: base.host, accept: 'application/json' },
    });
    const url = new URL(path, base);
    for (const [name, value] of Object.entries(query)) url.searchParams.append(name, value);
    let response: Response;
    try {
      response = await fetchImpl(url, { method: 'GET', headers: signed.headers });
    } catch (error) {
      return upstreamError(`the summary API at ${base.origin} could not be reached: ${String(error)}`);
    }
    const text = await response.text();
    try {
      return { statusCode: response.status, body: JSON.parse(text) as unknown };
    } catch {
      // API Gateway's own refusals (403 for a bad signature or no permission) are JSON too; anything else is not the API.
      return upstreamError(`the summary API answered ${response.status} with a body that is not JSON`);
    }
  };
}

function upstreamError(message: string) {
  return { statusCode: 502, body: { error: 'upstream_unavailable', message } };
}
