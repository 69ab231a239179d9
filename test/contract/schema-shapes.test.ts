import { describe, expect, it } from 'vitest';
import { EVENT_COLUMNS } from '../../contract';
import schema from '../../contract/event.schema.json' with { type: 'json' };

const wire = schema.$defs.WireEvent.properties as Record<string, { $ref?: string }>;
const stored = schema.$defs.StoredEvent.properties as Record<string, { $ref?: string }>;
// The only wire fields whose stored form differs, and why: both are normalised, never renamed.
const NORMALISED = new Map([
  ['event_time', '#/$defs/UtcTimestamp'],
  ['sent_at', '#/$defs/UtcTimestamp'],
  ['properties', '#/$defs/FlatProperties'],
]);

describe('StoredEvent only adds to WireEvent', () => {
  it.each(Object.keys(wire))('keeps the wire field %s under the same name', (name) => {
    expect(stored[name]).toEqual({ $ref: NORMALISED.get(name) ?? wire[name]?.$ref });
  });

  it('requires every field the wire format requires, plus received_at', () => {
    expect(schema.$defs.StoredEvent.required).toEqual([...schema.$defs.WireEvent.required, 'received_at']);
  });
});

describe('EVENT_COLUMNS', () => {
  it('has one column per stored field, in schema order', () => {
    expect(EVENT_COLUMNS.map((c) => c.name)).toEqual(Object.keys(stored));
  });

  it.each([
    ['revenue', 'double', 'DOUBLE', 'double'],
    ['clock_skew_ms', 'bigint', 'BIGINT', 'long'],
    ['is_bot', 'boolean', 'BOOLEAN', 'boolean'],
    ['properties', 'map<string,string>', 'MAP(VARCHAR, VARCHAR)', 'flat_object'],
    ['event_time', 'string', 'VARCHAR', 'date'],
    ['advertiser_id', 'string', 'VARCHAR', 'keyword'],
  ])('maps %s to Glue %s, DuckDB %s, OpenSearch %s', (name, glue, duckdb, openSearch) => {
    const column = EVENT_COLUMNS.find((c) => c.name === name);
    expect(column).toMatchObject({ glueType: glue, duckdbType: duckdb, openSearch: { type: openSearch } });
  });
});
