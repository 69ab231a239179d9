import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

/** The outputs `clickstream dashboard --stack` reads, by their key in lib/clickstream-stack.ts. */
export const DASHBOARD_OUTPUT_KEYS = {
  summaryApiUrl: 'SummaryApiUrl',
  liveWebSocketUrl: 'LiveWebSocketUrl',
  athenaWorkGroup: 'AthenaWorkGroup',
  glueDatabase: 'GlueDatabase',
  lakeBucketName: 'LakeBucketName',
} as const;

export type DashboardStackOutputs = StackOutputs<typeof DASHBOARD_OUTPUT_KEYS>;

/** A stack that is missing, or lacks an output the dashboard needs (deployed before the feature). */
export class StackOutputsError extends Error {
  override name = 'StackOutputsError';
}

/** The outputs one command needs: its own names for them, mapped to the stack's output keys. */
export type StackOutputs<K extends Record<string, string>> = { -readonly [N in keyof K]: string };

/**
 * Reads the named outputs of a deployed clickstream stack (lib/clickstream-stack.ts names them);
 * throws StackOutputsError for a stack that does not exist or lacks one of them, naming each missing key.
 */
export async function readStackOutputs<K extends Record<string, string>>(
  client: Pick<CloudFormationClient, 'send'>,
  stackName: string,
  keys: K,
): Promise<StackOutputs<K>> {
  let outputs: { OutputKey?: string; OutputValue?: string }[];
  try {
    const described = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = described.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    if ((error as { name?: string }).name === 'ValidationError') {
      throw new StackOutputsError(
        `stack ${stackName} does not exist in this account and region (${(error as Error).message})`,
      );
    }
    throw error;
  }
  const byKey = new Map(outputs.map((output) => [output.OutputKey, output.OutputValue]));
  const missing = Object.values(keys).filter((key) => !byKey.get(key));
  if (missing.length > 0) {
    throw new StackOutputsError(
      `stack ${stackName} has no output ${missing.join(', ')}: deploy this version of the app to it (npx cdk deploy)`,
    );
  }
  return Object.fromEntries(
    Object.entries(keys).map(([name, key]) => [name, byKey.get(key) as string]),
  ) as StackOutputs<K>;
}

/** The dashboard's outputs (see DASHBOARD_OUTPUT_KEYS). */
export function readDashboardOutputs(
  client: Pick<CloudFormationClient, 'send'>,
  stackName: string,
): Promise<DashboardStackOutputs> {
  return readStackOutputs(client, stackName, DASHBOARD_OUTPUT_KEYS);
}
