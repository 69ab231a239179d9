import { fileURLToPath } from 'node:url';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, it } from 'vitest';
import { ClickstreamFunction } from '../../lib/lambda-function';
import { testStack } from './app';

const entry = fileURLToPath(new URL('../../lambdas/opensearch-setup/handler.ts', import.meta.url));

function lambda(environment?: Record<string, string>) {
  const stack = testStack();
  const construct = new ClickstreamFunction(stack, 'Fn', {
    entry,
    logRetention: RetentionDays.ONE_MONTH,
    ...(environment === undefined ? {} : { environment }),
  });
  return { stack, construct, template: Template.fromStack(stack) };
}

describe('ClickstreamFunction', () => {
  it('runs Node.js 24 on ARM64', () => {
    const { template } = lambda();

    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
    });
  });

  it('enables source maps for stack traces', () => {
    const { template } = lambda();

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
  });

  it("merges the caller's environment over its own instead of replacing it", () => {
    const { template } = lambda({ DOMAIN_ENDPOINT: 'search.example' });

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', DOMAIN_ENDPOINT: 'search.example' } },
    });
  });

  it('logs to its own log group with the given retention', () => {
    const { stack, construct, template } = lambda();

    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: stack.resolve(construct.logGroup.logGroupName) },
    });
  });

  it('may write to its own log group only, with no AWS managed policy', () => {
    const { stack, construct, template } = lambda();

    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: stack.resolve(construct.logGroup.logGroupArn),
          }),
        ],
      },
    });
  });
});
