import schema from './event.schema.json' with { type: 'json' };

/**
 * One column of the stored event, derived from StoredEvent in the schema so that the Glue table,
 * the OpenSearch index template and the local DuckDB views never type a field by hand.
 */
export interface EventColumn {
  name: string;
  /** Hive/Glue type for the `events` table (JSON SerDe). */
  glueType: 'string' | 'double' | 'bigint' | 'boolean' | 'map<string,string>';
  /** DuckDB type for the local stand-in of the same table. */
  duckdbType: 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'BOOLEAN' | 'MAP(VARCHAR, VARCHAR)';
  /** OpenSearch field mapping for the `events-*` index template. */
  openSearch: Record<string, unknown>;
  /** True for fields every stored record has (the wire format's required fields plus received_at). */
  required: boolean;
  description?: string;
}

interface PropertySchema {
  $ref?: string;
  type?: string | string[];
  enum?: string[];
  description?: string;
}

type ColumnKind = 'timestamp' | 'money' | 'integer' | 'boolean' | 'flat_properties' | 'long_text' | 'keyword';

const KIND_BY_DEFINITION: Record<string, ColumnKind> = {
  '#/$defs/UtcTimestamp': 'timestamp',
  '#/$defs/Money': 'money',
  '#/$defs/FlatProperties': 'flat_properties',
  '#/$defs/Url': 'long_text',
  '#/$defs/UserAgent': 'long_text',
};

// Timestamps stay ISO-8601 text in the lake: the JSON SerDe's timestamp parsing is not ISO-8601,
// and text keeps the lake readable by any engine. Queries parse them with from_iso8601_timestamp.
const MAPPINGS: Record<ColumnKind, Pick<EventColumn, 'glueType' | 'duckdbType' | 'openSearch'>> = {
  timestamp: {
    glueType: 'string',
    duckdbType: 'VARCHAR',
    openSearch: { type: 'date', format: 'strict_date_optional_time' },
  },
  money: { glueType: 'double', duckdbType: 'DOUBLE', openSearch: { type: 'double' } },
  integer: { glueType: 'bigint', duckdbType: 'BIGINT', openSearch: { type: 'long' } },
  boolean: { glueType: 'boolean', duckdbType: 'BOOLEAN', openSearch: { type: 'boolean' } },
  // flat_object indexes every leaf as a keyword without a mapping per custom key (no mapping explosion).
  flat_properties: {
    glueType: 'map<string,string>',
    duckdbType: 'MAP(VARCHAR, VARCHAR)',
    openSearch: { type: 'flat_object' },
  },
  long_text: {
    glueType: 'string',
    duckdbType: 'VARCHAR',
    openSearch: { type: 'keyword', ignore_above: 2048 },
  },
  keyword: { glueType: 'string', duckdbType: 'VARCHAR', openSearch: { type: 'keyword', ignore_above: 256 } },
};

function kindOf(property: PropertySchema): ColumnKind {
  if (property.$ref !== undefined) return KIND_BY_DEFINITION[property.$ref] ?? 'keyword';
  if (property.type === 'integer') return 'integer';
  if (property.type === 'boolean') return 'boolean';
  return 'keyword';
}

const stored = schema.$defs.StoredEvent;
const requiredFields = new Set<string>(stored.required);

/** The stored event's columns, in schema order. */
export const EVENT_COLUMNS: readonly EventColumn[] = Object.entries(
  stored.properties as Record<string, PropertySchema>,
).map(([name, property]) => ({
  name,
  ...MAPPINGS[kindOf(property)],
  required: requiredFields.has(name),
  ...(property.description === undefined ? {} : { description: property.description }),
}));
