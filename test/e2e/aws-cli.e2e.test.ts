import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../contract';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline/local-pipeline';
import { readLake, silenceLambdaTelemetry, wireEvent } from './helpers';

silenceLambdaTelemetry();
const run = promisify(execFile);

// The AWS CLI is a test dependency: .ci/run installs Debian's awscli. Without it this suite fails
// (it never skips), so a CI that lost the CLI cannot pass silently.
const AWS_ENV = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_PAGER: '',
};

async function aws(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('aws', args, { env: AWS_ENV, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as NodeJS.ErrnoException & {
      code?: number | string;
      stdout?: string;
      stderr?: string;
    };
    if (failed.code === 'ENOENT') {
      throw new Error(
        'the AWS CLI (`aws`) is required by this test: apt-get install -y awscli (see .ci/run)',
      );
    }
    return { code: Number(failed.code ?? 1), stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('the AWS CLI against the local endpoint', () => {
  let dataDir: string;
  let pipeline: LocalPipeline;
  // CLI v2 takes blobs as base64 unless told otherwise; v1 takes them raw and has no such option.
  let binaryFormat: string[];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'aws-cli-e2e-'));
    pipeline = await startLocalPipeline({ dataDir, summaryIntervalSeconds: 0 });
    const version = await aws(['--version']);
    binaryFormat = /aws-cli\/1\./.test(version.stdout + version.stderr)
      ? []
      : ['--cli-binary-format', 'raw-in-base64-out'];
  });
  afterAll(async () => {
    await pipeline?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('puts a batch with put-record-batch, and the events reach the lake', async () => {
    const events = ['cli-1', 'cli-2', 'cli-3'].map((id) => wireEvent(id));
    const recordsFile = join(dataDir, 'records.json');
    await writeFile(recordsFile, JSON.stringify(events.map((e) => ({ Data: `${JSON.stringify(e)}\n` }))));

    const put = await aws([
      'firehose',
      'put-record-batch',
      '--endpoint-url',
      pipeline.endpointUrl,
      '--delivery-stream-name',
      pipeline.streamName,
      '--records',
      `file://${recordsFile}`,
      ...binaryFormat,
    ]);
    await pipeline.flush();

    expect(put.code, put.stderr).toBe(0);
    const answer = JSON.parse(put.stdout) as {
      FailedPutCount: number;
      RequestResponses: { RecordId: string }[];
    };
    expect(answer.FailedPutCount).toBe(0);
    expect(answer.RequestResponses).toHaveLength(3);
    const lake = await readLake<StoredEvent>(join(dataDir, 'lake'), 'events');
    expect(lake.map((e) => e.event_id).sort()).toEqual(['cli-1', 'cli-2', 'cli-3']);
  });

  it('describes the delivery stream', async () => {
    const described = await aws([
      'firehose',
      'describe-delivery-stream',
      '--endpoint-url',
      pipeline.endpointUrl,
      '--delivery-stream-name',
      pipeline.streamName,
    ]);

    expect(described.code, described.stderr).toBe(0);
    expect(JSON.parse(described.stdout)).toMatchObject({
      DeliveryStreamDescription: { DeliveryStreamName: pipeline.streamName, DeliveryStreamStatus: 'ACTIVE' },
    });
  });

  it('shows the AWS error for an unknown stream and exits non-zero', async () => {
    const put = await aws([
      'firehose',
      'put-record',
      '--endpoint-url',
      pipeline.endpointUrl,
      '--delivery-stream-name',
      'no-such-stream',
      '--record',
      'Data=eA==',
    ]);

    expect(put.code).not.toBe(0);
    expect(put.stderr).toMatch(/ResourceNotFoundException/);
  });
});
