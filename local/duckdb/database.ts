import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

export type SqlParams = DuckDBValue[] | Record<string, DuckDBValue>;

/**
 * An embedded DuckDB database: the local stand-in for Athena (over the lake directory) and for
 * OpenSearch (the event index). One instance and one connection; DuckDB serialises statements on a
 * connection, which is what the local pipeline wants.
 */
export class LocalDatabase {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** Opens (creating if needed) a database file, or an in-memory database for ':memory:'. */
  static async open(path = ':memory:', options: Record<string, string> = {}): Promise<LocalDatabase> {
    const instance = await DuckDBInstance.create(path, options);
    return new LocalDatabase(instance, await instance.connect());
  }

  /** Runs a statement whose result is not needed (DDL, inserts). */
  async run(sql: string, params?: SqlParams): Promise<void> {
    await this.connection.run(sql, params);
  }

  /** Rows as plain JS objects: BIGINT as bigint, DOUBLE as number, VARCHAR as string, MAP as entries. */
  async all<Row = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<Row[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJS() as Row[];
  }

  /** Column names and rows as JSON-safe values (BIGINT and timestamps as strings), for printing. */
  async table(
    sql: string,
    params?: SqlParams,
  ): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() };
  }

  /** Column names with DuckDB type names (`BIGINT`, `DOUBLE`, `DATE`...) and rows as JSON-safe values. */
  async typedRows(
    sql: string,
    params?: SqlParams,
  ): Promise<{ columns: { name: string; type: string }[]; rows: unknown[][] }> {
    const reader = await this.connection.runAndReadAll(sql, params);
    const types = reader.columnTypes();
    return {
      columns: reader.columnNames().map((name, i) => ({ name, type: String(types[i]) })),
      rows: reader.getRowsJson(),
    };
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
