import { describe, expect, it } from 'vitest';
import { parseSetupConfig } from '../../../lambdas/opensearch-setup/config';

describe('parseSetupConfig', () => {
  it('reads the endpoint and region', () => {
    const config = parseSetupConfig({
      DOMAIN_ENDPOINT: 'search-x.eu-west-1.es.amazonaws.com',
      AWS_REGION: 'eu-west-1',
    });

    expect(config).toEqual({ domainEndpoint: 'search-x.eu-west-1.es.amazonaws.com', region: 'eu-west-1' });
  });

  it.each([
    [{ AWS_REGION: 'eu-west-1' }, 'DOMAIN_ENDPOINT is required'],
    [{ DOMAIN_ENDPOINT: ' ', AWS_REGION: 'eu-west-1' }, 'DOMAIN_ENDPOINT is required'],
    [
      { DOMAIN_ENDPOINT: 'https://search-x.es.amazonaws.com', AWS_REGION: 'eu-west-1' },
      'DOMAIN_ENDPOINT must be a host name',
    ],
    [{ DOMAIN_ENDPOINT: 'search-x.es.amazonaws.com' }, 'AWS_REGION is required'],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => parseSetupConfig(env)).toThrow(message);
  });
});
