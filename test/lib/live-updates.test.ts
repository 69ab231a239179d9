import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClickstreamStack } from '../../lib/clickstream-stack';
import { clickstreamStack } from './app';

let stack: ClickstreamStack;
let template: Template;

beforeAll(() => {
  stack = clickstreamStack('prod');
  template = Template.fromStack(stack);
});

describe('LiveUpdates', () => {
  it('authorises $connect with IAM; the other routes are reachable only through it', () => {
    const routes = template.findResources('AWS::ApiGatewayV2::Route', {
      Properties: { ApiId: stack.resolve(stack.live.api.apiId) },
    });
    const byKey = Object.fromEntries(
      Object.values(routes).map((r) => [r.Properties.RouteKey, r.Properties.AuthorizationType]),
    );

    expect(byKey).toEqual({
      $connect: 'AWS_IAM',
      $disconnect: 'NONE',
      $default: 'NONE',
      subscribe: 'NONE',
      unsubscribe: 'NONE',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
  });

  it('returns the message function answer to the client on subscribe, unsubscribe and $default', () => {
    const responses = template.findResources('AWS::ApiGatewayV2::RouteResponse');
    expect(Object.keys(responses)).toHaveLength(3);
  });

  it('keeps connections in an encrypted, recoverable table whose items expire by TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it('streams new images of the summary table to the push function, reporting item failures', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'advertiser_id', KeyType: 'HASH' },
        { AttributeName: 'window_start', KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(stack.summaries.table.tableStreamArn),
      FunctionName: stack.resolve(stack.live.pushFunction.function.functionName),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: 300,
      StartingPosition: 'LATEST',
      FilterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT","MODIFY"]}' }] },
    });
  });

  it('lets only the push function manage connections, and only on this API stage', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Action: 'execute-api:ManageConnections' })]),
        },
      },
    });
    const [policy, ...others] = Object.values(policies);
    expect(others).toEqual([]);
    expect(policy?.Properties.Roles).toEqual([stack.resolve(stack.live.pushFunction.role.roleName)]);
    const statement = policy?.Properties.PolicyDocument.Statement.find(
      (s: { Action: unknown }) => s.Action === 'execute-api:ManageConnections',
    );
    expect(JSON.stringify(statement.Resource)).toContain(`"${stack.resolve(stack.live.api.apiId).Ref}"`);
    expect(JSON.stringify(statement.Resource)).toContain('/live/*/@connections/*');
  });

  it.each([
    ['Connect', ['dynamodb:PutItem']],
    ['Disconnect', ['dynamodb:DeleteItem']],
    ['Message', ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']],
    ['Push', ['dynamodb:Query', 'dynamodb:DeleteItem']],
  ] as const)('gives the %s function only %o on the connection table', (name, actions) => {
    const fn = {
      Connect: stack.live.connectFunction,
      Disconnect: stack.live.disconnectFunction,
      Message: stack.live.messageFunction,
      Push: stack.live.pushFunction,
    }[name];
    const tableArn = stack.resolve(stack.live.connectionTable.tableArn);
    const statements = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [stack.resolve(fn.role.roleName)] },
      }),
    ).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const onTable = statements.filter((s) => JSON.stringify(s.Resource).includes(JSON.stringify(tableArn)));
    expect(onTable.flatMap((s) => [s.Action].flat()).sort()).toEqual([...actions].sort());
  });

  it('alarms on push errors, iterator age, failed posts and route errors, notifying the alarm topic', () => {
    const topic = stack.resolve(stack.alarmTopic.topicArn);
    for (const alarm of stack.live.alarms) {
      const id = stack.getLogicalId(alarm.node.defaultChild as never);
      expect(template.toJSON().Resources[id].Properties.AlarmActions).toEqual([topic]);
    }
    expect(stack.live.alarms.map((a) => a.node.id)).toEqual([
      'PushErrors',
      'PushIteratorAge',
      'FailedPosts',
      'RouteErrors',
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Clickstream',
      MetricName: 'SummaryPushesFailed',
      Dimensions: [{ Name: 'service', Value: 'clickstream-live-push' }],
    });
  });

  it('logs each connection and message with its IAM caller', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'live',
      AccessLogSettings: { Format: Match.stringLikeRegexp('identity.userArn') },
    });
  });

  it('outputs the WebSocket URL and the summary API URL for `clickstream dashboard --stack`', () => {
    const outputs = template.toJSON().Outputs;
    expect(JSON.stringify(outputs.LiveWebSocketUrl.Value)).toContain('wss://');
    expect(outputs.SummaryApiUrl).toBeDefined();
  });
});
