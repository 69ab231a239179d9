import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ERROR_OUTPUT_TYPES, type FailedRecord, LAKE_LAYOUT, type StoredEvent } from '../../../contract';
import { trinoQuery } from '../../../engines/trino/client';
import { EventLake } from '../../../lib/event-lake';
import { writeEventsObject, writeFailedRecordsObject } from '../../../local/duckdb/lake-writer';
import { stageConfig, testStack } from '../../lib/app';
import { engineUrl } from '../engine-url';
import { createTrinoLake, type TrinoLake } from './trino-lake';

const DAY = 86_400_000;
// The dev stage's lifecycle, which the Glue tables' projected range follows.
const lakeConfig = stageConfig('dev').lake;
const now = Date.now();
const day = (millis: number) => new Date(millis).toISOString().slice(0, 10);

function event(id: string, received: number): StoredEvent {
  const time = new Date(received).toISOString();
  return {
    event_id: id,
    event_type: 'pageview',
    advertiser_id: 'adv-a',
    event_time: time,
    received_at: time,
  };
}

function failure(errorCode: string, arrival: number): FailedRecord {
  return {
    attemptsMade: 1,
    arrivalTimestamp: arrival,
    errorCode,
    errorMessage: 'failed',
    attemptEndingTimestamp: arrival,
    rawData: Buffer.from('{}\n').toString('base64'),
  };
}

/** The Glue tables' parameters, as the CDK app synthesizes them for the dev stage, by table name. */
function glueTableParameters(): Map<string, Record<string, unknown>> {
  const stack = testStack();
  new EventLake(stack, 'Lake', { lake: lakeConfig, databaseName: 'clickstream' });
  const tables = Object.values(Template.fromStack(stack).findResources('AWS::Glue::Table')) as {
    Properties: { TableInput: { Name: string; Parameters: Record<string, unknown> } };
  }[];
  return new Map(tables.map((t) => [t.Properties.TableInput.Name, t.Properties.TableInput.Parameters]));
}

describe('the lake tables on Trino, from the definitions the Glue tables come from', () => {
  const url = engineUrl('trino');
  let lake: TrinoLake;

  beforeAll(async () => {
    lake = await createTrinoLake(
      url,
      inject('enginesCacheDir'),
      { eventsDays: lakeConfig.eventsExpireAfterDays, errorsDays: lakeConfig.errorsExpireAfterDays },
      (dataDir) => {
        const lakeDir = join(dataDir, 'lake');
        writeEventsObject(lakeDir, [event('today', now)], now);
        const expired = now - (lakeConfig.eventsExpireAfterDays + 2) * DAY;
        writeEventsObject(lakeDir, [event('expired', expired)], expired);
        for (const type of ERROR_OUTPUT_TYPES)
          writeFailedRecordsObject(lakeDir, type, [failure(type, now)], now);
        writeFailedRecordsObject(lakeDir, 'not-a-firehose-type', [failure('other', now)], now);
      },
    );
  });
  afterAll(async () => {
    await lake.remove();
  });

  it.each([LAKE_LAYOUT.eventsTable, LAKE_LAYOUT.failedEventsTable])(
    '%s carries the partition projection parameters of its Glue table',
    async (table) => {
      const glue = glueTableParameters().get(table)!;
      const { columns, rows } = await trinoQuery(url, `SELECT * FROM "${table}$properties"`, lake.session);
      const trino = Object.fromEntries(columns.map((c, i) => [c.name, rows[0]![i]]));
      // Trino stores the interval unit as Java's ChronoUnit name in lower case ("days"), and reads
      // the Glue table's "DAYS" as well (it upper-cases the value).
      const projection = (parameters: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(parameters)
            .filter(([key]) => key.startsWith('projection.'))
            .map(([key, value]) => [
              key,
              key.endsWith('.interval.unit') ? String(value).toUpperCase() : value,
            ]),
        );
      // The location template differs only in the bucket: s3://<bucket>/ on AWS, the lake folder here.
      const join = glue['storage.location.template'] as { 'Fn::Join': [string, unknown[]] };
      const glueTemplate = String(join['Fn::Join'][1].at(-1));

      expect(projection(trino)).toEqual(projection(glue));
      expect(trino['storage.location.template']).toBe(`${lake.location}${glueTemplate}`);
    },
  );

  it('reads the arrival days the projection enumerates, and no expired day', async () => {
    const { rows } = await trinoQuery(url, 'SELECT dt, event_id FROM events', lake.session);

    expect(rows).toEqual([[day(now), 'today']]);
  });

  it("reads Firehose's error output types, with camelCase keys matched as the OpenX SerDe matches them", async () => {
    const { rows } = await trinoQuery(
      url,
      'SELECT error_output_type, dt, errorcode, attemptsmade FROM failed_events ORDER BY 1',
      lake.session,
    );

    // Each record's errorCode names its folder.
    expect(rows).toEqual([...ERROR_OUTPUT_TYPES].sort().map((type) => [type, day(now), type, 1]));
  });
});
