import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { CuratedLake, WATERMARK_KEY } from '../../lib/curated-lake';
import { stageConfig, testStack } from './app';

function curatedLake(stage = 'dev') {
  const stack = testStack();
  const alarms: Alarm[] = [];
  const bucket = new Bucket(stack, 'Lake');
  const construct = new CuratedLake(stack, 'CuratedLake', {
    config: stageConfig(stage).curatedLake,
    name: 'clickstream-test',
    bucket,
    databaseName: 'clickstream_test',
    resultsBucket: new Bucket(stack, 'Results'),
    rawRetentionDays: 150,
    maxEventAgeDays: 30,
    monitoring: { addAlarm: (alarm) => alarms.push(alarm) },
    logRetention: RetentionDays.ONE_WEEK,
  });
  return { stack, construct, bucket, alarms, template: Template.fromStack(stack) };
}

type Statement = { Action: string | string[]; Resource: unknown };
function statements(template: Template, policyIdPart: string): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.includes(policyIdPart))
    .flatMap(
      ([, policy]) =>
        (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
          .Statement,
    );
}
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('CuratedLake', () => {
  it('runs its statements in a workgroup of its own with the stage scan cutoff and encrypted results', () => {
    const { template } = curatedLake('prod');

    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'clickstream-test-compaction',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        BytesScannedCutoffPerQuery: stageConfig('prod').curatedLake.bytesScannedCutoffPerQuery,
        ResultConfiguration: Match.objectLike({ EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } }),
      }),
    });
  });

  it('merges, records the watermark, then re-creates the view, in that order (a crash never leaves the view ahead)', () => {
    const { stack, construct } = curatedLake();
    const definition = JSON.stringify(
      stack.resolve((construct.stateMachine.node.defaultChild as CfnStateMachine).definitionString),
    );
    const order = ['CreateTableIfMissing', 'MergeNewArrivals', 'RecordWatermark', 'RecreateView'].map(
      (state) => definition.indexOf(`\\"${state}\\":{`),
    );

    expect(order.every((index) => index >= 0)).toBe(true);
    expect(definition).toMatch(/MergeNewArrivals.{0,400}\\"Next\\":\\"RecordWatermark\\"/);
    expect(definition).toMatch(/RecordWatermark.{0,600}\\"Next\\":\\"RecreateView\\"/);
    expect(definition).toContain('states:::athena:startQueryExecution.sync');
  });

  it('schedules the compaction and the maintenance with their own inputs', () => {
    const { template } = curatedLake();
    const config = stageConfig('dev').curatedLake;

    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: Schedule.rate(Duration.minutes(config.scheduleMinutes)).expressionString,
      Targets: [Match.objectLike({ Input: JSON.stringify({ task: 'compact' }) })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: Schedule.rate(Duration.hours(config.maintenanceScheduleHours)).expressionString,
      Targets: [Match.objectLike({ Input: JSON.stringify({ task: 'maintain' }) })],
    });
  });

  it('lets the queries touch only the compaction workgroup, and delete only under curated/', () => {
    const { template } = curatedLake();
    const policy = statements(template, 'StateMachineRole');
    const athena = policy.filter((s) => actions(s).some((a) => a.startsWith('athena:')));
    const deletes = policy.filter((s) => actions(s).some((a) => a.startsWith('s3:Delete')));

    expect(JSON.stringify(athena)).toContain('workgroup/clickstream-test-compaction');
    expect(athena.every((s) => !JSON.stringify(s.Resource).includes('"*"'))).toBe(true);
    expect(deletes).toHaveLength(1);
    expect(JSON.stringify(deletes[0]!.Resource)).toContain('/curated/*');
    expect(JSON.stringify(deletes[0]!.Resource)).not.toContain('/events/');
  });

  it('lets the planner read and replace the watermark record and nothing else in the bucket', () => {
    const { template } = curatedLake();
    const s3 = statements(template, 'PlannerRole').filter((s) => actions(s).some((a) => a.startsWith('s3:')));

    for (const statement of s3) {
      const objects = JSON.stringify(statement.Resource).match(/\/[^"\]]+"\]\]/g) ?? [];
      expect(objects.every((path) => path.startsWith(`/${WATERMARK_KEY}`))).toBe(true);
    }
    expect(JSON.stringify(s3)).toContain(WATERMARK_KEY);
  });

  it('alarms on failed, timed-out or aborted runs and on a watermark that stopped moving', () => {
    const { alarms, template } = curatedLake();
    const config = stageConfig('dev').curatedLake;

    expect(alarms).toHaveLength(2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'failed + timedOut + aborted' })]),
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HoursSinceWatermarkAdvanced',
      Threshold: config.stalledAfterHours,
      TreatMissingData: 'breaching',
    });
  });
});
