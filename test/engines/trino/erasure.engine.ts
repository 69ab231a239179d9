import { mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { affectedErrorObjectsSql } from '../../../analytics/compaction-sql';
import { withoutSubjectFailureRecords } from '../../../analytics/erasure/failure-records';
import type { ErasureSubject } from '../../../analytics/erasure/report';
import type { ErrorOutputType, FailedRecord } from '../../../contract';
import { trinoQuery } from '../../../engines/trino/client';
import { trinoFileRoot } from '../../../engines/trino/files';
import { writeFailedRecordsObject } from '../../../local/duckdb/lake-writer';
import { engineUrl } from '../engine-url';
import { createTrinoLake, retentionSince, type TrinoLake } from './trino-lake';

const USER: ErasureSubject = { column: 'user_id', value: 'u-erase' };
const ANONYMOUS: ErasureSubject = { column: 'anonymous_id', value: 'a-erase' };
// Quote, regex and JSON syntax in one id: each must be matched as the literal text.
const ODD: ErasureSubject = { column: 'user_id', value: "o'neil.+(x)" };

function failure(raw: string | Buffer, arrival: number): FailedRecord {
  return {
    attemptsMade: 1,
    arrivalTimestamp: arrival,
    errorCode: 'Lambda.ProcessingFailed',
    errorMessage: 'refused',
    attemptEndingTimestamp: arrival,
    rawData: (typeof raw === 'string' ? Buffer.from(raw) : raw).toString('base64'),
  };
}

interface ErrorObject {
  readonly type: ErrorOutputType;
  readonly arrival: string;
  /** The refused records, as the tracker sent them (rawData is their base64). */
  readonly raws: readonly (string | Buffer)[];
  /** Or rawData as written, for a record whose rawData is not base64. */
  readonly rawData?: string;
}

/** The errors/ objects, by name: what each holds decides which subject's search must name it. */
const OBJECTS: Record<string, ErrorObject> = {
  // A refused event of the user (an unknown event_type), beside another user's.
  json: {
    type: 'processing-failed',
    arrival: '2026-11-02T10:00:00.000Z',
    raws: ['{"event_id":"1","event_type":"Bad Type","user_id":"u-erase"}\n', '{"user_id":"other"}\n'],
  },
  // JSON with spaces around the colon, and with the value written with an escape.
  spaced: {
    type: 'processing-failed',
    arrival: '2026-11-02T11:00:00.000Z',
    raws: ['{ "user_id" : "u-erase" }'],
  },
  escaped: {
    type: 'processing-failed',
    arrival: '2026-11-02T12:00:00.000Z',
    raws: ['{"user_id":"u-\\u0065rase"}'],
  },
  // Not JSON (cut off): matched on the field as JSON writes it.
  truncated: {
    type: 'processing-failed',
    arrival: '2026-11-03T01:00:00.000Z',
    raws: ['{"event_id":"t1","user_id":"u-erase","event_ti'],
  },
  // Text before the field: only the text rule finds it (a JSON reader stops at the first byte).
  plainText: {
    type: 'processing-failed',
    arrival: '2026-11-03T01:30:00.000Z',
    raws: ['refused: "user_id": "u-erase"'],
  },
  // Bytes that are not UTF-8 around the field: both Node and the engine read them as U+FFFD.
  notUtf8: {
    type: 'processing-failed',
    arrival: '2026-11-03T02:00:00.000Z',
    raws: [
      Buffer.concat([
        Buffer.from('{"user_id":"u-erase","x":"'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}'),
      ]),
    ],
  },
  // Nobody's record of the subjects: other ids, prefixes and suffixes of them, a number, plain text.
  others: {
    type: 'processing-failed',
    arrival: '2026-11-03T03:00:00.000Z',
    raws: [
      '{"user_id":"u-erase-2"}',
      '{"user_id":"xu-erase"}',
      '{"user_id":5,"anonymous_id":"u-erase"}',
      '"user_id": "u-erase2" cut',
      'user_id=u-erase',
      '{"user_id":"o\'neilAAx"',
    ],
  },
  // rawData that is not base64: a candidate for every subject, and the rewrite removes nothing.
  notBase64: {
    type: 'processing-failed',
    arrival: '2026-11-03T04:00:00.000Z',
    raws: [],
    rawData: '%%% not base64',
  },
  // A document the domain refused, of the anonymous visitor.
  openSearch: {
    type: 'AmazonOpenSearchService-failed',
    arrival: '2026-11-04T05:00:00.000Z',
    raws: ['{"event_id":"2","anonymous_id":"a-erase","event_type":"click"}'],
  },
  odd: {
    type: 'processing-failed',
    arrival: '2026-11-04T06:00:00.000Z',
    raws: ['{"event_id":"3","user_id":"o\'neil.+(x)"}', '{"user_id": "o\'neil.+(x)", "event_t'],
  },
  // After the first chunk of arrival days.
  later: {
    type: 'processing-failed',
    arrival: '2026-11-20T07:00:00.000Z',
    raws: ['{"user_id":"u-erase"}'],
  },
};

const FIRST_CHUNK = ['2026-10-01', '2026-11-15'] as const;
const SECOND_CHUNK = ['2026-11-16', '2026-11-30'] as const;

describe("the erasure's search of errors/ (affectedErrorObjectsSql) on Trino, over failed_events", () => {
  const url = engineUrl('trino');
  const cacheDir = inject('enginesCacheDir');
  let lake: TrinoLake;
  const files = new Map<string, string>();
  const trinoPath = (file: string) => `local:///${relative(trinoFileRoot(cacheDir), file)}`;
  const found = async (subject: ErasureSubject, [from, to]: readonly [string, string]) =>
    (await trinoQuery(url, affectedErrorObjectsSql(subject, from, to), lake.session)).rows.map(([p]) => p);
  const pathsOf = (...names: string[]) => names.map((name) => trinoPath(files.get(name)!)).sort();

  beforeAll(async () => {
    lake = await createTrinoLake(url, cacheDir, retentionSince(FIRST_CHUNK[0]), (dataDir) => {
      const lakeDir = join(dataDir, 'lake');
      // The events table needs its folder; this lake has only failed records.
      mkdirSync(join(lakeDir, 'events'), { recursive: true });
      for (const [name, object] of Object.entries(OBJECTS)) {
        const arrival = Date.parse(object.arrival);
        const records =
          object.rawData === undefined
            ? object.raws.map((raw) => failure(raw, arrival))
            : [{ ...failure('', arrival), rawData: object.rawData }];
        files.set(name, writeFailedRecordsObject(lakeDir, object.type, records, arrival));
      }
    });
  });
  afterAll(async () => {
    await lake.remove();
  });

  it.each([
    { subject: USER, names: ['json', 'spaced', 'escaped', 'truncated', 'plainText', 'notUtf8', 'notBase64'] },
    { subject: ANONYMOUS, names: ['openSearch', 'notBase64'] },
    { subject: ODD, names: ['odd', 'notBase64'] },
  ])(
    'names the objects holding a failure record of $subject.column $subject.value',
    async ({ subject, names }) => {
      expect(await found(subject, FIRST_CHUNK)).toEqual(pathsOf(...names));
    },
  );

  it('searches only the arrival days asked for', async () => {
    expect(await found(USER, SECOND_CHUNK)).toEqual(pathsOf('later'));
  });

  it.each([USER, ANONYMOUS, ODD])(
    'finds every object the shared filter rewrites for $column $value, and beyond them only undecodable rawData',
    async (subject) => {
      const paths = new Set([
        ...(await found(subject, FIRST_CHUNK)),
        ...(await found(subject, SECOND_CHUNK)),
      ]);
      const rewritten = [...files.entries()]
        .filter(([, file]) => withoutSubjectFailureRecords(readFileSync(file), subject).linesRemoved > 0)
        .map(([name]) => name);

      expect(rewritten.length).toBeGreaterThan(0);
      for (const name of rewritten) expect(paths).toContain(trinoPath(files.get(name)!));
      expect([...paths].filter((p) => !pathsOf(...rewritten).includes(p as string))).toEqual(
        pathsOf('notBase64'),
      );
    },
  );
});
