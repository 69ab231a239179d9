import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
} from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../lambdas/opensearch-setup/handler';

const base = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
  ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x',
  StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Clickstream-dev/1',
  RequestId: 'd2f2a1c4-0000-4000-8000-000000000000',
  LogicalResourceId: 'SearchSetupResource',
  ResourceType: 'Custom::OpenSearchSetup',
};

describe('opensearch-setup handler', () => {
  it('does nothing on Delete and keeps the physical id', async () => {
    const event: CloudFormationCustomResourceDeleteEvent = {
      ...base,
      RequestType: 'Delete',
      PhysicalResourceId: 'clickstream-opensearch-setup',
      ResourceProperties: { ServiceToken: base.ServiceToken, Documents: '{}' },
    };

    const result = await handler(event);

    expect(result).toEqual({ PhysicalResourceId: 'clickstream-opensearch-setup' });
  });

  it('refuses a Create without the Documents property before calling the domain', async () => {
    const event: CloudFormationCustomResourceCreateEvent = {
      ...base,
      RequestType: 'Create',
      ResourceProperties: { ServiceToken: base.ServiceToken },
    };

    await expect(handler(event)).rejects.toThrow('resource property Documents (a JSON string) is required');
  });
});
