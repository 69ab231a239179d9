import { CfnResource, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Resource metadata cfn-lint reads: `{ config: { ignore_checks: [...] } }`. */
export const CFN_LINT_METADATA = 'cfn-lint';
/** Beside it, why each ignored check does not apply: rule id to reason. */
export const CFN_LINT_REASONS_METADATA = 'cfn-lint-reasons';

/**
 * Acknowledges one cfn-lint finding on a resource, with the reason, in the resource's own
 * CloudFormation Metadata: cfn-lint then skips that rule there, and the engine suite
 * (test/engines/cfn-lint) checks that the finding exists and the reason is given. `resource` is a
 * CfnResource or a construct whose default child is one.
 */
export function acknowledgeCfnLint(resource: IConstruct, rule: string, reason: string): void {
  const cfn = resource instanceof CfnResource ? resource : resource.node.defaultChild;
  if (!(cfn instanceof CfnResource)) {
    throw new Error(
      `${resource.node.path} has no CloudFormation resource to acknowledge cfn-lint ${rule} on`,
    );
  }
  const reasons: Record<string, string> = {
    ...(cfn.getMetadata(CFN_LINT_REASONS_METADATA) as Record<string, string> | undefined),
    [rule]: reason,
  };
  cfn.addMetadata(CFN_LINT_REASONS_METADATA, reasons);
  cfn.addMetadata(CFN_LINT_METADATA, { config: { ignore_checks: Object.keys(reasons) } });
}

/**
 * W3005 ("dependency already enforced by a GetAtt") on every Lambda function, CDK's own helper
 * functions included. CDK makes a function depend on its whole role construct, the role and the
 * policy attached to it, so the permissions exist before the function runs or gets an event
 * source; the role entry of that DependsOn repeats the GetAtt of the role's ARN. CDK resolves
 * these dependencies after aspects run, so they cannot be trimmed here.
 */
export class AcknowledgeFunctionRoleDependency implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof CfnResource && node.cfnResourceType === 'AWS::Lambda::Function') {
      acknowledgeCfnLint(
        node,
        'W3005',
        'CDK makes each function depend on its role and the role policy, so permissions exist before it runs; the role entry repeats the GetAtt of the role ARN, harmlessly',
      );
    }
  }
}
