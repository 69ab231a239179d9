import type { IncomingMessage } from 'node:http';
import type { SignatureV4 } from '@smithy/signature-v4';

/** A request as a loopback fake of an execute-api endpoint received it. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

/**
 * Signs what `origin` received again, from scratch, at the time its `x-amz-date` names: equal to
 * the request's Authorization header only if what was signed is what arrived.
 */
export async function authorizationFor(
  request: ReceivedRequest,
  origin: string,
  signer: SignatureV4,
): Promise<string> {
  const url = new URL(request.url, origin);
  const amzDate = String(request.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: String(request.headers.host), accept: 'application/json' },
    },
    { signingDate },
  );
  return String(signed.headers.authorization);
}
