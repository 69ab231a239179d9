export interface SetupConfig {
  /** Domain endpoint host name, without scheme. */
  domainEndpoint: string;
  region: string;
}

/** Parses the environment once; a missing variable fails the cold start with its name. */
export function parseSetupConfig(env: NodeJS.ProcessEnv): SetupConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value.trim() === '')
      throw new Error(`environment variable ${name} is required`);
    return value.trim();
  };
  const domainEndpoint = required('DOMAIN_ENDPOINT');
  if (domainEndpoint.includes('://') || domainEndpoint.includes('/')) {
    throw new Error(`environment variable DOMAIN_ENDPOINT must be a host name, got '${domainEndpoint}'`);
  }
  return { domainEndpoint, region: required('AWS_REGION') };
}
