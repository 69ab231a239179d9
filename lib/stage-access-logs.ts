import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type IAccessLogSettings, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { stageLogGroup } from './stateful';

/**
 * Access logs of an API Gateway v2 stage (HTTP or WebSocket), in a log group of their own (`id`):
 * one JSON line per request, naming the IAM caller (userArn) of each, then `fields`, the API
 * type's own context variables.
 */
export function stageAccessLogs(
  scope: Construct,
  id: string,
  retention: RetentionDays,
  destroyOnRemoval: boolean,
  fields: Readonly<Record<string, string>>,
): IAccessLogSettings {
  return {
    destination: new LogGroupLogDestination(stageLogGroup(scope, id, retention, destroyOnRemoval)),
    format: AccessLogFormat.custom(
      JSON.stringify({
        requestId: '$context.requestId',
        time: '$context.requestTime',
        caller: '$context.identity.userArn',
        sourceIp: '$context.identity.sourceIp',
        ...fields,
      }),
    ),
  };
}
