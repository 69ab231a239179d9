import { readdirSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { loadSavedQueries, QUERIES_DIR } from '../../analytics/catalog';
import { Analytics } from '../../lib/analytics';
import { stageConfig, testStack } from './app';

function analytics(stage = 'dev') {
  const stack = testStack();
  const construct = new Analytics(stack, 'Analytics', {
    athena: stageConfig(stage).athena,
    workGroupName: 'clickstream-test',
    databaseName: 'clickstream_test',
    savedQueries: loadSavedQueries(),
    accessLogsBucket: new Bucket(stack, 'AccessLogs'),
  });
  return { stack, construct, template: Template.fromStack(stack) };
}

describe('Analytics', () => {
  it('enforces engine v3, CloudWatch metrics and the scan cutoff of the stage', () => {
    const { template } = analytics('prod');

    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'clickstream-test',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: stageConfig('prod').athena.bytesScannedCutoffPerQuery,
      }),
    });
  });

  it('writes encrypted results to its own bucket', () => {
    const { stack, construct, template } = analytics();

    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        ResultConfiguration: Match.objectLike({
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          OutputLocation: {
            'Fn::Join': ['', ['s3://', stack.resolve(construct.resultsBucket.bucketName), '/results/']],
          },
        }),
      }),
    });
  });

  it('expires results after the configured days', () => {
    const { template } = analytics();

    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 7 })] },
      BucketEncryption: Match.anyValue(),
      PublicAccessBlockConfiguration: Match.objectLike({
        BlockPublicAcls: true,
        RestrictPublicBuckets: true,
      }),
    });
  });

  it('creates one named query per file in queries/', () => {
    const { template } = analytics();
    const files = readdirSync(QUERIES_DIR).filter((file) => file.endsWith('.sql'));

    const queries = template.findResources('AWS::Athena::NamedQuery');

    expect(files.length).toBeGreaterThan(0);
    expect(Object.keys(queries)).toHaveLength(files.length);
  });

  describe('named queries', () => {
    // The same stack for every saved query: synthesised once for the group.
    const shared = analytics();

    it.each(loadSavedQueries().map((query) => [query.name, query]))(
      'publishes %s with its SQL and description in the workgroup and database',
      (name, query) => {
        const { stack, construct, template } = shared;

        template.hasResourceProperties('AWS::Athena::NamedQuery', {
          Name: name,
          Description: query.description,
          QueryString: query.sql,
          Database: 'clickstream_test',
          WorkGroup: stack.resolve(construct.workGroup.ref),
        });
      },
    );
  });
});
