import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

/** The outputs `clickstream erase --stack` needs, by their key in lib/clickstream-stack.ts. */
export const ERASURE_OUTPUT_KEYS = {
  lakeBucket: 'LakeBucketName',
  database: 'GlueDatabase',
  workgroup: 'CompactionWorkGroup',
  openSearchEndpoint: 'OpenSearchEndpoint',
} as const;

export type ErasureStackOutputs = { -readonly [K in keyof typeof ERASURE_OUTPUT_KEYS]: string };

/** The stack is missing, or was deployed before the curated lake (no CompactionWorkGroup output). */
export class ErasureStackError extends Error {
  override name = 'ErasureStackError';
}

export async function readErasureOutputs(
  client: Pick<CloudFormationClient, 'send'>,
  stackName: string,
): Promise<ErasureStackOutputs> {
  let outputs: { OutputKey?: string; OutputValue?: string }[];
  try {
    outputs =
      (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    if ((error as { name?: string }).name === 'ValidationError') {
      throw new ErasureStackError(`stack ${stackName} does not exist in this account and region`);
    }
    throw error;
  }
  const byKey = new Map(outputs.map((output) => [output.OutputKey, output.OutputValue]));
  const missing = Object.values(ERASURE_OUTPUT_KEYS).filter((key) => !byKey.get(key));
  if (missing.length > 0) {
    throw new ErasureStackError(
      `stack ${stackName} has no output ${missing.join(', ')}: deploy this version of the app to it (npx cdk deploy)`,
    );
  }
  return Object.fromEntries(
    Object.entries(ERASURE_OUTPUT_KEYS).map(([name, key]) => [name, byKey.get(key) as string]),
  ) as ErasureStackOutputs;
}
