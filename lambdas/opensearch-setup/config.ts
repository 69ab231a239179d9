import { ConfigError, type Environment, requiredText } from '../shared/env';

export interface SetupConfig {
  /** Domain endpoint host name, without scheme. */
  domainEndpoint: string;
  region: string;
}

/** Parses the environment once; a missing variable fails the cold start with its name. */
export function parseSetupConfig(env: Environment): SetupConfig {
  const domainEndpoint = requiredText(env, 'DOMAIN_ENDPOINT');
  if (domainEndpoint.includes('://') || domainEndpoint.includes('/')) {
    throw new ConfigError(
      `environment variable DOMAIN_ENDPOINT must be a host name, got '${domainEndpoint}'`,
    );
  }
  return { domainEndpoint, region: requiredText(env, 'AWS_REGION') };
}
