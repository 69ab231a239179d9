import { vi } from 'vitest';
import { SCENARIO_NOW } from './scenarios';

/**
 * The environment the CDK construct gives the aggregator functions, pointing at a local fixture
 * server, with fake credentials (requests are signed, never sent to AWS), the scenarios' clock
 * and quiet Powertools. Undo with vi.useRealTimers() and vi.unstubAllEnvs().
 */
export function stubAggregatorEnvironment(openSearchUrl: string, extra: Record<string, string>): void {
  vi.useFakeTimers({ now: SCENARIO_NOW, toFake: ['Date'] });
  const env: Record<string, string> = {
    OPENSEARCH_ENDPOINT: openSearchUrl,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'not-a-real-secret',
    LATENESS_HORIZON_MINUTES: '60',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...extra,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
}
