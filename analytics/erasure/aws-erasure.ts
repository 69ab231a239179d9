import type { AthenaClient } from '@aws-sdk/client-athena';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Client as OpenSearchClient } from '@opensearch-project/opensearch';
import { type AthenaRunOptions, runStatementOnAthena } from '../athena-runner';
import {
  affectedErrorObjectsSql,
  affectedRawObjectsSql,
  countCuratedSql,
  eraseCuratedSql,
} from '../compaction-sql';
import { CURATED_EVENTS_TABLE, curatedTable, lakeTables } from '../lake-tables';
import { withoutSubjectFailureRecords } from './failure-records';
import { type FilteredObject, withoutSubjectLines } from './raw-lines';
import type { ErasureReport, ErasureSubject, RewrittenObject } from './report';

/** What the AWS erasure talks to: the stack's outputs and the caller's clients (their own credentials). */
export interface AwsErasureTarget {
  readonly athena: AthenaClient;
  readonly s3: S3Client;
  readonly openSearch: OpenSearchClient;
  /** The compaction workgroup (stack output CompactionWorkGroup), whose scan cutoff bounds each query. */
  readonly workgroup: string;
  readonly database: string;
  readonly lakeBucket: string;
  /** Arrival days searched for raw and `errors/` objects: `[first, last]`, inclusive, `YYYY-MM-DD`. */
  readonly arrivalDays: readonly [string, string];
  /** Days per `"$path"` query (raw or errors/), so that each stays under the workgroup's scan cutoff. @default 92 */
  readonly daysPerQuery?: number;
  readonly onProgress?: (message: string) => void;
  /** Athena polling, for tests. */
  readonly athenaOptions?: Pick<AthenaRunOptions, 'poll' | 'sleep' | 'signal'>;
}

/** A raw object path that is not in the stack's lake bucket: never rewritten. */
export class ForeignObjectError extends Error {
  override name = 'ForeignObjectError';
}

const DAY = 86_400_000;
const table = curatedTable(lakeTables({ eventsDays: 1, errorsDays: 1 })[0]);

/** The index pattern the events live in (one index per event day). */
export const EVENT_INDICES = 'events-*';

/** The `_delete_by_query` request that removes the subject's documents from every event-day index. */
export function deleteByQueryRequest(subject: ErasureSubject) {
  return {
    index: EVENT_INDICES,
    // A document that changes meanwhile (a late re-delivery) is still deleted on a re-run; the
    // request must not stop at the first version conflict.
    conflicts: 'proceed' as const,
    refresh: true,
    body: { query: { term: { [subject.column]: subject.value } } },
  };
}

export async function eraseFromOpenSearch(
  client: OpenSearchClient,
  subject: ErasureSubject,
): Promise<number> {
  const response = await client.deleteByQuery(deleteByQueryRequest(subject));
  const body = response.body as { deleted?: number; failures?: unknown[] };
  if ((body.failures?.length ?? 0) > 0) {
    throw new Error(
      `OpenSearch could not delete every document: ${JSON.stringify(body.failures).slice(0, 500)}`,
    );
  }
  return body.deleted ?? 0;
}

function dayRanges([first, last]: readonly [string, string], daysPerQuery: number): [string, string][] {
  const ranges: [string, string][] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let start = Date.parse(`${first}T00:00:00Z`); start <= end; start += daysPerQuery * DAY) {
    const stop = Math.min(start + (daysPerQuery - 1) * DAY, end);
    ranges.push([new Date(start).toISOString().slice(0, 10), new Date(stop).toISOString().slice(0, 10)]);
  }
  return ranges;
}

function objectKey(path: string, bucket: string): string {
  const prefix = `s3://${bucket}/`;
  if (!path.startsWith(prefix)) throw new ForeignObjectError(`${path} is not in the lake bucket ${bucket}`);
  return path.slice(prefix.length);
}

/**
 * Rewrites one lake object without the lines `filter` removes (the subject's events, or their
 * failure records), keeping its encryption, storage class and content headers, on the condition
 * that it did not change since it was read; then deletes the version read, so that the bucket's
 * versioning does not keep the erased lines.
 */
export async function rewriteObject(
  s3: S3Client,
  bucket: string,
  key: string,
  filter: (content: Uint8Array) => FilteredObject,
): Promise<RewrittenObject | undefined> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const content = await got.Body?.transformToByteArray();
  if (content === undefined) return undefined;
  const filtered = filter(content);
  if (filtered.linesRemoved === 0) return undefined;
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: filtered.body,
      ...(got.ETag === undefined ? {} : { IfMatch: got.ETag }),
      ...(got.ContentType === undefined ? {} : { ContentType: got.ContentType }),
      ...(got.ContentEncoding === undefined ? {} : { ContentEncoding: got.ContentEncoding }),
      ...(got.ServerSideEncryption === undefined ? {} : { ServerSideEncryption: got.ServerSideEncryption }),
      ...(got.SSEKMSKeyId === undefined ? {} : { SSEKMSKeyId: got.SSEKMSKeyId }),
      ...(got.BucketKeyEnabled === undefined ? {} : { BucketKeyEnabled: got.BucketKeyEnabled }),
      ...(got.StorageClass === undefined ? {} : { StorageClass: got.StorageClass }),
    }),
  );
  // 'null' is the version id of an object written before versioning was enabled.
  if (got.VersionId !== undefined && got.VersionId !== 'null') {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: got.VersionId }));
  }
  return { key, linesRemoved: filtered.linesRemoved, linesKept: filtered.linesKept };
}

/**
 * Erases the subject on a deployed stack, with the caller's credentials: the raw objects first
 * (found with Athena's `"$path"`, rewritten), then the failure records under `errors/` (found the
 * same way through `failed_events`, rewritten), then the Iceberg rows (DELETE), then the OpenSearch
 * documents. Raw before curated, so that a compaction running meanwhile cannot merge the rows back
 * from an object not yet rewritten; the command is idempotent, and a second run finds nothing.
 */
export async function eraseOnAws(target: AwsErasureTarget, subject: ErasureSubject): Promise<ErasureReport> {
  const progress = target.onProgress ?? (() => {});
  const athena = (sql: string) =>
    runStatementOnAthena(target.athena, sql, [], {
      workgroup: target.workgroup,
      database: target.database,
      ...target.athenaOptions,
    });

  const ranges = dayRanges(target.arrivalDays, target.daysPerQuery ?? 92);
  // One search per chunk of arrival days, each under the scan cutoff; then each object found is rewritten.
  const eraseStore = async (
    store: string,
    search: (first: string, last: string) => string,
    filter: (content: Uint8Array) => FilteredObject,
  ): Promise<RewrittenObject[]> => {
    const keys = new Set<string>();
    for (const [first, last] of ranges) {
      progress(`searching ${store} for arrival days ${first} to ${last}`);
      const { rows } = await athena(search(first, last));
      for (const [path] of rows) if (typeof path === 'string') keys.add(objectKey(path, target.lakeBucket));
    }
    const rewritten: RewrittenObject[] = [];
    for (const key of [...keys].sort()) {
      progress(`rewriting s3://${target.lakeBucket}/${key}`);
      const object = await rewriteObject(target.s3, target.lakeBucket, key, filter);
      if (object !== undefined) rewritten.push(object);
    }
    return rewritten;
  };

  const rawObjects = await eraseStore(
    'the raw lake',
    (first, last) => affectedRawObjectsSql(subject, first, last),
    (content) => withoutSubjectLines(content, subject),
  );
  const errorObjects = await eraseStore(
    'the failed records (errors/)',
    (first, last) => affectedErrorObjectsSql(subject, first, last),
    (content) => withoutSubjectFailureRecords(content, subject),
  );

  progress(`deleting from ${CURATED_EVENTS_TABLE}`);
  const counted = await athena(countCuratedSql(table, subject));
  await athena(eraseCuratedSql(table, subject));

  progress(`deleting from OpenSearch ${EVENT_INDICES}`);
  const eventIndexDocumentsDeleted = await eraseFromOpenSearch(target.openSearch, subject);

  return {
    subject,
    target: 'aws',
    curatedRowsDeleted: Number(counted.rows[0]?.[0] ?? 0),
    rawObjects,
    errorObjects,
    eventIndexDocumentsDeleted,
    remains: AWS_REMAINS,
  };
}

/** What the AWS erasure does not reach (docs/curated-lake.md#erasure). */
export const AWS_REMAINS: readonly string[] = [
  "curated_events' earlier Iceberg snapshots keep the deleted rows until VACUUM expires them (curatedLake.snapshotRetentionHours after the DELETE, at the next maintenance run)",
  'failure records under errors/ whose refused record does not carry the id in the erased field (the id under another key, or the record cut off before it) stay until lake.errorsExpireAfterDays',
  'raw objects and failure records that arrived before --since are not searched; they expire with lake.eventsExpireAfterDays and lake.errorsExpireAfterDays',
  'OpenSearch automated snapshots of the domain keep deleted documents for up to 14 days',
  'Athena query results (the erasure queries included) expire with athena.resultsExpireAfterDays',
];
