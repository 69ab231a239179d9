import { gunzipSync, gzipSync } from 'node:zlib';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Client } from '@opensearch-project/opensearch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { deleteByQueryRequest, eraseOnAws, ForeignObjectError } from '../../../analytics/erasure/aws-erasure';
import { ErasureStackError, readErasureOutputs } from '../../../analytics/erasure/stack-targets';

const athena = mockClient(AthenaClient);
const s3 = mockClient(S3Client);
const cloudFormation = mockClient(CloudFormationClient);
const subject = { column: 'user_id' as const, value: "u'1" };
const body = (bytes: Uint8Array) =>
  ({ transformToByteArray: async () => bytes }) as unknown as GetObjectCommandOutput['Body'];

/** Athena answering each statement by its text; every statement sent is kept. */
function athenaAnswering(answer: (sql: string) => string[][]): string[] {
  const sent: string[] = [];
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
    sent.push(input.QueryString);
    return { QueryExecutionId: String(sent.length - 1) };
  });
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
  athena.on(GetQueryResultsCommand).callsFake((input: { QueryExecutionId: string }) => {
    const rows = answer(sent[Number(input.QueryExecutionId)]!);
    return {
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'c', Type: 'varchar' }] },
        Rows: [
          { Data: [{ VarCharValue: 'c' }] },
          ...rows.map((row) => ({ Data: row.map((v) => ({ VarCharValue: v })) })),
        ],
      },
    };
  });
  return sent;
}

function openSearch(deleted: number) {
  const requests: unknown[] = [];
  const client = {
    deleteByQuery: async (request: unknown) => {
      requests.push(request);
      return { body: { deleted, failures: [] } };
    },
  } as unknown as Client;
  return { client, requests };
}

const target = (os: Client) => ({
  athena: new AthenaClient({ region: 'eu-west-1' }),
  s3: new S3Client({ region: 'eu-west-1' }),
  openSearch: os,
  workgroup: 'clickstream-prod-compaction',
  database: 'clickstream_prod',
  lakeBucket: 'lake',
  arrivalDays: ['2026-01-01', '2026-03-31'] as const,
  daysPerQuery: 60,
  athenaOptions: { sleep: async () => {} },
});

beforeEach(() => {
  athena.reset();
  s3.reset();
  cloudFormation.reset();
});

describe('eraseOnAws', () => {
  it('rewrites the raw objects holding the subject, deletes their rows and documents, and reports', async () => {
    const sent = athenaAnswering((sql) =>
      sql.includes('"$path"') && sql.includes("'2026-01-01'")
        ? [['s3://lake/events/dt=2026-01-02/hour=03/a.gz'], ['s3://lake/events/dt=2026-01-09/hour=00/b.gz']]
        : sql.startsWith('SELECT count(*)')
          ? [['3']]
          : [],
    );
    const lines = [
      '{"event_id":"1","user_id":"u\'1"}',
      '{"event_id":"2","user_id":"u2"}',
      '{"event_id":"3","user_id":"u\'1"}',
    ];
    s3.on(GetObjectCommand, { Key: 'events/dt=2026-01-02/hour=03/a.gz' }).resolves({
      Body: body(gzipSync(`${lines.join('\n')}\n`)),
      ETag: '"e1"',
      VersionId: 'v1',
      ServerSideEncryption: 'AES256',
      StorageClass: 'STANDARD_IA',
    });
    s3.on(GetObjectCommand, { Key: 'events/dt=2026-01-09/hour=00/b.gz' }).resolves({
      Body: body(gzipSync('{"event_id":"4","user_id":"other"}\n')),
      ETag: '"e2"',
      VersionId: 'v2',
    });
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});
    const os = openSearch(5);

    const report = await eraseOnAws(target(os.client), subject);

    // Two searches of the raw lake (60-day windows), the count, then the DELETE.
    expect(sent.filter((sql) => sql.includes('"$path"'))).toHaveLength(2);
    expect(sent.at(-1)).toBe("DELETE FROM curated_events WHERE user_id = 'u''1'");
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({
      Bucket: 'lake',
      Key: 'events/dt=2026-01-02/hour=03/a.gz',
      IfMatch: '"e1"',
      ServerSideEncryption: 'AES256',
      StorageClass: 'STANDARD_IA',
    });
    expect(gunzipSync(put.Body as Buffer).toString()).toBe(`${lines[1]}\n`);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'lake', Key: 'events/dt=2026-01-02/hour=03/a.gz', VersionId: 'v1' },
    ]);
    expect(os.requests).toEqual([deleteByQueryRequest(subject)]);
    expect(report).toMatchObject({
      target: 'aws',
      curatedRowsDeleted: 3,
      rawObjects: [{ key: 'events/dt=2026-01-02/hour=03/a.gz', linesRemoved: 2, linesKept: 1 }],
      eventIndexDocumentsDeleted: 5,
    });
  });

  it('refuses to touch an object outside the stack lake bucket', async () => {
    athenaAnswering((sql) => (sql.includes('"$path"') ? [['s3://elsewhere/events/x.gz']] : []));

    await expect(eraseOnAws(target(openSearch(0).client), subject)).rejects.toThrow(ForeignObjectError);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});

describe('readErasureOutputs', () => {
  it('reads the outputs the erasure needs, and names the missing ones', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 's',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'LakeBucketName', OutputValue: 'lake' },
            { OutputKey: 'GlueDatabase', OutputValue: 'db' },
            { OutputKey: 'OpenSearchEndpoint', OutputValue: 'search.example' },
          ],
        },
      ],
    });

    await expect(readErasureOutputs(new CloudFormationClient({ region: 'eu-west-1' }), 's')).rejects.toThrow(
      new ErasureStackError(
        'stack s has no output CompactionWorkGroup: deploy this version of the app to it (npx cdk deploy)',
      ),
    );
  });
});
