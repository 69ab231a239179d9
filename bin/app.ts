import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadSavedQueries } from '../analytics/catalog';
import { ClickstreamStack } from '../lib/clickstream-stack';
import { ConfigError, stageConfigFromContext } from '../lib/config';

const app = new App();
try {
  const config = stageConfigFromContext(
    app.node.tryGetContext('stage') ?? 'dev',
    app.node.tryGetContext('config'),
  );
  new ClickstreamStack(app, `Clickstream-${config.stage}`, {
    config,
    savedQueries: loadSavedQueries(),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: `Clickstream pipeline (${config.stage}): Firehose, transform Lambda, OpenSearch, S3 lake, Glue, Athena`,
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Configuration error:\n${error.message}`);
  process.exit(1);
}
// cdk-nag runs as a policy validation plugin: any unacknowledged finding fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
