import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * A SigV4 signer for API Gateway (`execute-api`) in a region, with the user's credentials from the
 * default chain (environment, profile, SSO, instance role) unless given. Both APIs of a stack are
 * IAM-authorised, so every proxied request and the WebSocket connect URL are signed with it.
 */
export function executeApiSigner(region: string, credentials?: AwsCredentialIdentityProvider): SignatureV4 {
  return new SignatureV4({
    service: 'execute-api',
    region,
    credentials: credentials ?? defaultProvider(),
    sha256: Sha256,
  });
}

/** The region of an API Gateway URL (`<id>.execute-api.<region>.amazonaws.com`), or undefined. */
export function regionOfApiUrl(url: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(new URL(url).hostname)?.[1];
}
