import { type CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Acknowledges one cdk-nag AwsSolutions finding on a construct (and its children), with the reason. */
export function acknowledgeNag(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${finding}`, reason });
}

/** How cdk-nag writes a resource's ARN inside a finding id: `<LogicalId.Arn>`. */
export function nagArn(resource: IConstruct): string {
  const element = (resource.node.defaultChild ?? resource) as CfnElement;
  return `<${Stack.of(resource).getLogicalId(element)}.Arn>`;
}

/**
 * The stack's region and account as cdk-nag writes them in a finding: the pseudo parameter
 * (`<AWS::Region>`) when the stack is environment-agnostic, the literal when `cdk synth` knows it
 * (the CDK CLI sets CDK_DEFAULT_REGION even without credentials).
 */
export function nagEnvironment(scope: IConstruct): { region: string; account: string } {
  const stack = Stack.of(scope);
  return {
    region: Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region,
    account: Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account,
  };
}
