import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { loadSavedQueries } from '../../analytics/catalog';
import { ClickstreamStack } from '../../lib/clickstream-stack';
import { resolveStageConfig, type StageConfig, type StageOverrides } from '../../lib/config';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

/**
 * An App with the project's feature flags (cdk.json) and asset bundling skipped: `aws:cdk:bundling-stacks`
 * set to [] makes NodejsFunction reference its source instead of running esbuild, which keeps a
 * synthesis well under a second. Bundling itself is exercised by `npm run synth`.
 */
export function testApp(): App {
  return new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
}

/** A fresh, empty stack in a fresh test app. */
export function testStack(): Stack {
  return new Stack(testApp(), 'Test');
}

export function stageConfig(stage = 'dev', overrides: StageOverrides = {}): StageConfig {
  return resolveStageConfig(stage, overrides);
}

/** The whole app's stack for a stage, as bin/app.ts builds it. */
export function clickstreamStack(
  stage = 'dev',
  overrides: StageOverrides = {},
  app: App = testApp(),
  env?: { account: string; region: string },
): ClickstreamStack {
  return new ClickstreamStack(app, `Clickstream-${stage}`, {
    config: stageConfig(stage, overrides),
    savedQueries: loadSavedQueries(),
    ...(env === undefined ? {} : { env }),
  });
}
