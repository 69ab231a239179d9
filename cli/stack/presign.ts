import type { SignatureV4 } from '@smithy/signature-v4';

/** How long a presigned connect URL stays valid; it is used at once. */
const PRESIGN_SECONDS = 60;

/**
 * The stack's WebSocket URL with a SigV4 signature in its query string, which is how a client
 * authenticates the `$connect` of an IAM-authorised WebSocket API.
 */
export async function presignedWebSocketUrl(
  webSocketUrl: string,
  signer: SignatureV4,
  now = new Date(),
): Promise<string> {
  const url = new URL(webSocketUrl);
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: url.pathname,
      query: {},
      headers: { host: url.host },
    },
    { expiresIn: PRESIGN_SECONDS, signingDate: now },
  );
  const presigned = new URL(url.pathname, `${url.protocol}//${url.host}`);
  for (const [name, value] of Object.entries(signed.query ?? {})) {
    for (const v of [value].flat()) if (v !== null && v !== undefined) presigned.searchParams.append(name, v);
  }
  return presigned.toString();
}
