import { fileURLToPath } from 'node:url';
import { type CfnElement, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, Billing, type ITableV2, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CONNECTION_TABLE_KEY, EXPIRY_ATTRIBUTE } from '../lambdas/live/dynamodb/connection-table';
import { PUSH_METRICS } from '../lambdas/live/push-metrics';
import { ClickstreamFunction } from './lambda-function';
import type { AlarmSink } from './monitoring';
import { acknowledgeNag, nagEnvironment } from './nag';
import { stageAccessLogs } from './stage-access-logs';
import { removalPolicyFor } from './stateful';

export interface LiveUpdatesProps {
  /** The summary table; it must have a stream with new images (lib/summaries.ts). */
  readonly summaryTable: ITableV2;
  /** Takes the alarms (push errors, iterator age, failed posts, route errors). */
  readonly monitoring: AlarmSink;
  /** Retention of the functions' and the stage's log groups. */
  readonly logRetention: RetentionDays;
  /**
   * PostToConnection calls the push function makes at once.
   * @default 25
   */
  readonly pushConcurrency?: number;
  /**
   * Set the region's API Gateway account logging role, which WebSocket access logs need. Turn it
   * off in an account where another stack already manages that setting.
   * @default true
   */
  readonly setApiGatewayLoggingRole?: boolean;
  /**
   * Delete the connection table and the log groups with the stack.
   * @default false
   */
  readonly destroyOnRemoval?: boolean;
}

/** The stage name: part of the WebSocket URL (`wss://<api>.execute-api.<region>.amazonaws.com/live`). */
export const LIVE_STAGE_NAME = 'live';

// A push older than this shows numbers the dashboard has long replaced: drop it.
const MAX_PUSH_RECORD_AGE = Duration.minutes(5);

/**
 * Live summaries on a deployed stack (docs/live.md): an IAM-authorised WebSocket API whose
 * subscribe and unsubscribe routes keep connections and subscriptions in DynamoDB (with TTL), and
 * a push function fed by the summary table's stream that posts each stored window to the
 * connections subscribed to its advertiser and removes the ones that are gone.
 */
export class LiveUpdates extends Construct {
  readonly connectionTable: TableV2;
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly connectFunction: ClickstreamFunction;
  readonly disconnectFunction: ClickstreamFunction;
  readonly messageFunction: ClickstreamFunction;
  readonly pushFunction: ClickstreamFunction;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: LiveUpdatesProps) {
    super(scope, id);
    const destroy = props.destroyOnRemoval ?? false;

    // Connection state is short-lived, but it follows the stage's stateful settings like every
    // table: recoverable, protected from deletion in prod, AWS-managed key (see lib/summaries.ts).
    this.connectionTable = new TableV2(this, 'Connections', {
      partitionKey: { name: CONNECTION_TABLE_KEY.partitionKey, type: AttributeType.STRING },
      sortKey: { name: CONNECTION_TABLE_KEY.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: EXPIRY_ATTRIBUTE,
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: !destroy,
      removalPolicy: removalPolicyFor(destroy),
    });

    const routeFunction = (name: string, entry: string, description: string) =>
      new ClickstreamFunction(this, name, {
        entry: fileURLToPath(new URL(`../lambdas/live/${entry}/handler.ts`, import.meta.url)),
        description,
        timeout: Duration.seconds(10),
        logRetention: props.logRetention,
        destroyLogsOnRemoval: destroy,
        environment: {
          CONNECTION_TABLE_NAME: this.connectionTable.tableName,
          POWERTOOLS_SERVICE_NAME: `clickstream-live-${entry}`,
        },
      });
    this.connectFunction = routeFunction('Connect', 'connect', 'WebSocket $connect: records the connection');
    this.disconnectFunction = routeFunction(
      'Disconnect',
      'disconnect',
      'WebSocket $disconnect: removes the connection and its subscriptions',
    );
    this.messageFunction = routeFunction(
      'Message',
      'message',
      'WebSocket subscribe, unsubscribe and $default: answers each client message',
    );
    this.connectionTable.grant(this.connectFunction.function, 'dynamodb:PutItem');
    this.connectionTable.grant(this.disconnectFunction.function, 'dynamodb:DeleteItem');
    this.connectionTable.grant(
      this.messageFunction.function,
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
    );

    const messages = new WebSocketLambdaIntegration('Messages', this.messageFunction.function);
    this.api = new WebSocketApi(this, 'Api', {
      description: 'Live summaries: subscribe to an advertiser, receive each stored window (IAM-authorised)',
      routeSelectionExpression: '$request.body.action',
      connectRouteOptions: {
        integration: new WebSocketLambdaIntegration('Connect', this.connectFunction.function),
        authorizer: new WebSocketIamAuthorizer(),
      },
      disconnectRouteOptions: {
        integration: new WebSocketLambdaIntegration('Disconnect', this.disconnectFunction.function),
      },
      // Every message gets the message function's answer back as the route response.
      defaultRouteOptions: { integration: messages, returnResponse: true },
    });
    for (const action of ['subscribe', 'unsubscribe']) {
      this.api.addRoute(action, { integration: messages, returnResponse: true });
    }
    acknowledgeNag(
      this.api,
      'APIG4',
      'WebSocket APIs authorise once, on $connect (AWS_IAM here); API Gateway accepts no authoriser on other routes, which only an authorised connection can reach',
    );

    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: LIVE_STAGE_NAME,
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
      // WebSocket context variables; the caller is the IAM caller of each connection.
      accessLogSettings: stageAccessLogs(this, 'AccessLogs', props.logRetention, destroy, {
        eventType: '$context.eventType',
        route: '$context.routeKey',
        connectionId: '$context.connectionId',
        status: '$context.status',
        error: '$context.error.message',
        integrationError: '$context.integrationErrorMessage',
      }),
    });
    if (props.setApiGatewayLoggingRole ?? true) this.setApiGatewayLoggingRole();

    this.pushFunction = new ClickstreamFunction(this, 'Push', {
      entry: fileURLToPath(new URL('../lambdas/live/push/handler.ts', import.meta.url)),
      description: 'Summary table stream -> the WebSocket connections subscribed to each advertiser',
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
      destroyLogsOnRemoval: destroy,
      environment: {
        CONNECTION_TABLE_NAME: this.connectionTable.tableName,
        CONNECTIONS_ENDPOINT: this.stage.callbackUrl,
        PUSH_CONCURRENCY: String(props.pushConcurrency ?? 25),
        POWERTOOLS_SERVICE_NAME: PUSH_METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: PUSH_METRICS.namespace,
      },
    });
    this.pushFunction.function.addEventSource(
      new DynamoEventSource(props.summaryTable, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 100,
        reportBatchItemFailures: true,
        retryAttempts: 3,
        maxRecordAge: MAX_PUSH_RECORD_AGE,
        // Summaries are never deleted; a removal (a hand edit) has nothing to push.
        filters: [FilterCriteria.filter({ eventName: FilterRule.or('INSERT', 'MODIFY') })],
      }),
    );
    // The lookup and the removal of gone connections; nothing else on the table.
    this.connectionTable.grant(this.pushFunction.function, 'dynamodb:Query', 'dynamodb:DeleteItem');
    this.stage.grantManagementApiAccess(this.pushFunction.function);
    const { region, account } = nagEnvironment(this);
    acknowledgeNag(
      this.pushFunction.role,
      `IAM5[Resource::arn:<AWS::Partition>:execute-api:${region}:${account}:<${this.logicalIdOf(this.api)}>/${LIVE_STAGE_NAME}/*/@connections/*]`,
      'ManageConnections on this API stage only: connection ids are created by API Gateway at run time, so they cannot be listed',
    );

    this.addAlarms(props.monitoring);
  }

  /**
   * API Gateway writes WebSocket access logs only with a CloudWatch role set on the account (one
   * per region). Retained with the stack: the setting outlives it, and other APIs may use it.
   */
  private setApiGatewayLoggingRole(): void {
    const role = new Role(this, 'ApiGatewayLoggingRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      description: "API Gateway's account-level role for writing access logs to CloudWatch Logs",
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
      ],
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    acknowledgeNag(
      role,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      "The policy AWS documents for API Gateway's account logging role: API Gateway creates its log groups by name, so no narrower resource list exists",
    );
    const account = new CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.stage.node.addDependency(account);
  }

  private logicalIdOf(construct: Construct): string {
    return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
  }

  private addAlarms(monitoring: AlarmSink): void {
    const fiveMinutes = { period: Duration.minutes(5), statistic: 'Sum' };
    const push = this.pushFunction.function;
    this.addAlarm(
      monitoring,
      'PushErrors',
      push.metricErrors(fiveMinutes),
      'The live push function failed invocations: open dashboards stop receiving summaries',
    );
    this.addAlarm(
      monitoring,
      'PushIteratorAge',
      new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'IteratorAge',
        dimensionsMap: { FunctionName: push.functionName },
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      'The live push is more than a minute behind the summary table stream for 5 minutes',
      { threshold: 60_000, evaluationPeriods: 5 },
    );
    this.addAlarm(
      monitoring,
      'FailedPosts',
      new Metric({
        namespace: PUSH_METRICS.namespace,
        metricName: PUSH_METRICS.failed,
        dimensionsMap: { service: PUSH_METRICS.service },
        ...fiveMinutes,
      }),
      'PostToConnection failed for reasons other than a closed connection (throttling, denied, server errors)',
    );
    const routes = [this.connectFunction, this.disconnectFunction, this.messageFunction];
    this.addAlarm(
      monitoring,
      'RouteErrors',
      new MathExpression({
        expression: routes.map((_, i) => `errors${i}`).join(' + '),
        usingMetrics: Object.fromEntries(
          routes.map((route, i) => [`errors${i}`, route.function.metricErrors(fiveMinutes)]),
        ),
        label: 'WebSocket route function errors',
        period: Duration.minutes(5),
      }),
      'A WebSocket route function failed: connections are refused or left behind (TTL removes them)',
    );
  }

  private addAlarm(
    monitoring: AlarmSink,
    id: string,
    metric: IMetric,
    description: string,
    { threshold = 1, evaluationPeriods = 1 } = {},
  ): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    monitoring.addAlarm(alarm);
    this.alarms.push(alarm);
  }
}
