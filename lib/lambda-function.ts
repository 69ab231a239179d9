import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { stageLogGroup } from './stateful';

export interface ClickstreamFunctionProps
  extends Omit<
    NodejsFunctionProps,
    'runtime' | 'architecture' | 'bundling' | 'logGroup' | 'logRetention' | 'role'
  > {
  /** Path of the handler module; it exports `handler`. */
  readonly entry: string;
  /** How long the function's log group keeps events. */
  readonly logRetention: RetentionDays;
  /**
   * Delete the log group with the stack.
   * @default false
   */
  readonly destroyLogsOnRemoval?: boolean;
}

/** Environment every function gets; the caller's environment is merged over it. */
const BASE_ENVIRONMENT = {
  // Stack traces point at the TypeScript sources through the bundled source map.
  NODE_OPTIONS: '--enable-source-maps',
};

// ESM bundles still meet CommonJS dependencies that call require(); give them one.
const ESM_REQUIRE_SHIM =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * The project's Lambda function: Node.js 24 on ARM64 (Graviton: about 20% cheaper per GB-second),
 * an ESM bundle built by the local esbuild (no Docker) with source maps, and its own log group
 * with a retention period, and a role that may write to that group only. Unless given, timeout is
 * 30 s and memory 256 MB. Every Lambda in the app is one of these.
 */
export class ClickstreamFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: ClickstreamFunctionProps) {
    super(scope, id);
    const { logRetention, destroyLogsOnRemoval, environment, ...functionProps } = props;

    this.logGroup = stageLogGroup(this, 'Logs', logRetention, destroyLogsOnRemoval);

    // Instead of the AWS managed basic execution policy (logs on every group): this group only.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      timeout: Duration.seconds(30),
      memorySize: 256,
      ...functionProps,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      handler: 'handler',
      role: this.role,
      logGroup: this.logGroup,
      environment: { ...BASE_ENVIRONMENT, ...environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_SHIM,
        sourceMap: true,
        minify: true,
        // The SDK the tests ran against, not whichever version the runtime ships this month.
        bundleAwsSDK: true,
        forceDockerBundling: false,
      },
    });
  }
}
