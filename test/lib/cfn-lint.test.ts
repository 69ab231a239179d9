import { Aspects, CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { AcknowledgeFunctionRoleDependency, acknowledgeCfnLint } from '../../lib/cfn-lint';
import { testStack } from './app';

const metadataOf = (template: Template, type: string) =>
  Object.values(template.findResources(type)).map((resource) => resource.Metadata);

describe('acknowledgeCfnLint', () => {
  it("writes the ignored rules where cfn-lint reads them, and each rule's reason beside them", () => {
    const stack = testStack();
    const queue = new Queue(stack, 'Queue');

    acknowledgeCfnLint(queue, 'W1234', 'first reason');
    acknowledgeCfnLint(queue, 'I5678', 'second reason');

    expect(metadataOf(Template.fromStack(stack), 'AWS::SQS::Queue')).toEqual([
      {
        'cfn-lint': { config: { ignore_checks: ['W1234', 'I5678'] } },
        'cfn-lint-reasons': { W1234: 'first reason', I5678: 'second reason' },
      },
    ]);
  });

  it('refuses a construct that has no CloudFormation resource of its own', () => {
    const stack = testStack();

    expect(() => acknowledgeCfnLint(new Construct(stack, 'Group'), 'W1234', 'a reason')).toThrow(
      'Test/Group has no CloudFormation resource to acknowledge cfn-lint W1234 on',
    );
  });
});

describe('AcknowledgeFunctionRoleDependency', () => {
  it('acknowledges W3005 on Lambda functions only', () => {
    const stack = testStack();
    new CfnResource(stack, 'Fn', { type: 'AWS::Lambda::Function' });
    new Queue(stack, 'Queue');

    Aspects.of(stack).add(new AcknowledgeFunctionRoleDependency());

    const template = Template.fromStack(stack);
    expect(metadataOf(template, 'AWS::Lambda::Function')).toEqual([
      expect.objectContaining({ 'cfn-lint': { config: { ignore_checks: ['W3005'] } } }),
    ]);
    expect(metadataOf(template, 'AWS::SQS::Queue')).toEqual([undefined]);
  });
});
