import { gunzipSync, gzipSync } from 'node:zlib';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
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
import { formatErasureReport } from '../../../analytics/erasure/report';

const athena = mockClient(AthenaClient);
const s3 = mockClient(S3Client);
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
});

describe('eraseOnAws', () => {
  it('rewrites the raw objects holding the subject, deletes their rows and documents, and reports', async () => {
    const sent = athenaAnswering((sql) =>
      sql.includes('FROM events') && sql.includes("'2026-01-01'")
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

    // Two searches of the raw lake (60-day windows), two of errors/, the count, then the DELETE.
    expect(sent.filter((sql) => sql.includes('FROM events'))).toHaveLength(2);
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
      errorObjects: [],
      eventIndexDocumentsDeleted: 5,
    });
  });

  it('rewrites the errors/ objects holding the subject’s refused records, searched in the same day chunks', async () => {
    const key = 'errors/processing-failed/dt=2026-02-10/clickstream-1-x.gz';
    const sent = athenaAnswering((sql) =>
      sql.includes('FROM failed_events') && sql.includes("'2026-03-02'") ? [[`s3://lake/${key}`]] : [],
    );
    const failure = (record: string) =>
      JSON.stringify({
        attemptsMade: 1,
        errorCode: 'Lambda.ProcessingFailed',
        rawData: Buffer.from(record).toString('base64'),
      });
    const records = [
      failure('{"event_id":"1","event_type":"Bad Type","user_id":"u\'1"}\n'),
      failure('{"event_id":"2","user_id":"u2"}\n'),
      failure('{"event_id":"3","user_id":"u\'1","event_t'),
    ];
    s3.on(GetObjectCommand, { Key: key }).resolves({
      Body: body(gzipSync(`${records.join('\n')}\n`)),
      ETag: '"e3"',
      VersionId: 'v3',
      ContentType: 'application/octet-stream',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k',
      BucketKeyEnabled: true,
      StorageClass: 'STANDARD',
    });
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});

    const report = await eraseOnAws(target(openSearch(0).client), subject);

    const searches = sent.filter((sql) => sql.includes('FROM failed_events'));
    expect(searches.map((sql) => /BETWEEN '([\d-]+)' AND '([\d-]+)'/.exec(sql)?.slice(1))).toEqual([
      ['2026-01-01', '2026-03-01'],
      ['2026-03-02', '2026-03-31'],
    ]);
    expect(searches[0]).toContain("= 'u''1'");
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        Bucket: 'lake',
        Key: key,
        IfMatch: '"e3"',
        ContentType: 'application/octet-stream',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k',
        BucketKeyEnabled: true,
        StorageClass: 'STANDARD',
      }),
    ]);
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(gunzipSync(put.Body as Buffer).toString()).toBe(`${records[1]}\n`);
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'lake', Key: key, VersionId: 'v3' },
    ]);
    expect(report).toMatchObject({
      rawObjects: [],
      errorObjects: [{ key, linesRemoved: 2, linesKept: 1 }],
    });
    expect(formatErasureReport(report)).toContain(
      `  failed records (errors/): 2 record(s) removed from 1 object(s)\n    ${key}: 2 removed, 1 kept\n`,
    );
  });

  it('leaves an errors/ object the search named but that holds none of the subject’s records', async () => {
    const key = 'errors/processing-failed/dt=2026-01-05/clickstream-1-y.gz';
    athenaAnswering((sql) =>
      sql.includes('FROM failed_events') && sql.includes("'2026-01-01'") ? [[`s3://lake/${key}`]] : [],
    );
    // rawData that is not base64 makes the object a candidate; the shared filter keeps the record.
    s3.on(GetObjectCommand, { Key: key }).resolves({
      Body: body(gzipSync('{"attemptsMade":1,"rawData":"%%% not base64"}\n')),
      ETag: '"e4"',
      VersionId: 'v4',
    });

    const report = await eraseOnAws(target(openSearch(0).client), subject);

    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
    expect(report.errorObjects).toEqual([]);
  });

  it('stops before rewriting when an errors/ object changed since it was read (the conditional put fails)', async () => {
    const key = 'errors/processing-failed/dt=2026-01-05/clickstream-1-z.gz';
    athenaAnswering((sql) =>
      sql.includes('FROM failed_events') && sql.includes("'2026-01-01'") ? [[`s3://lake/${key}`]] : [],
    );
    s3.on(GetObjectCommand, { Key: key }).resolves({
      Body: body(
        gzipSync(`${JSON.stringify({ rawData: Buffer.from('{"user_id":"u\'1"}').toString('base64') })}\n`),
      ),
      ETag: '"old"',
      VersionId: 'v5',
    });
    s3.on(PutObjectCommand).rejects(
      Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
        name: 'PreconditionFailed',
      }),
    );

    await expect(eraseOnAws(target(openSearch(0).client), subject)).rejects.toThrow(/pre-conditions/);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('refuses to touch an object outside the stack lake bucket', async () => {
    athenaAnswering((sql) => (sql.includes('"$path"') ? [['s3://elsewhere/events/x.gz']] : []));

    await expect(eraseOnAws(target(openSearch(0).client), subject)).rejects.toThrow(ForeignObjectError);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});
