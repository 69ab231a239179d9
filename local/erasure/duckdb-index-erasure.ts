import { access, chmod, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ErasureSubject } from '../../analytics/erasure/report';
import { syncDirectory, syncFile } from '../atomic-file';
import { LocalDatabase } from '../duckdb/database';
import { EVENT_INDEX_TABLE } from '../event-index/duckdb-event-index';

export interface DuckDbIndexErasureOptions {
  /** Count only. */
  readonly dryRun: boolean;
  /** Where the copy is built, in the same folder (`.tmp-<uuid>.duckdb`: removed at the next start if a crash leaves it). */
  readonly tempFile: string;
  /** Test hook, between writing the copy and renaming it over the index. */
  readonly afterWrite?: () => void;
}

/**
 * Deletes the subject's rows from the event index's DuckDB file; returns how many. A DELETE in
 * place would leave the rows' bytes in the file's free blocks (DuckDB reclaims deleted rows only
 * in part, at a checkpoint), so the file is copied instead: the same tables and keys (COPY FROM
 * DATABASE ... (SCHEMA)), every row but the subject's, then the copy is renamed over the file. A
 * crash before the rename leaves the old file whole, and the next erase copies again.
 */
export async function eraseFromDuckDbIndex(
  file: string,
  subject: ErasureSubject,
  options: DuckDbIndexErasureOptions,
): Promise<number> {
  const db = await LocalDatabase.open(file);
  let found: number;
  try {
    const tables = await db.all<{ name: string }>(
      `SELECT table_name AS name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'`,
    );
    if (!tables.some((table) => table.name === EVENT_INDEX_TABLE)) return 0;
    const [row] = await db.all<{ n: bigint }>(
      `SELECT count(*) AS n FROM ${EVENT_INDEX_TABLE} WHERE "${subject.column}" = $value`,
      { value: subject.value },
    );
    found = Number(row?.n ?? 0n);
    if (found === 0 || options.dryRun) return found;
    const [{ name: source } = { name: '' }] = await db.all<{ name: string }>(
      'SELECT current_database() AS name',
    );
    await db.run(`ATTACH ${sqlString(options.tempFile)} AS erased`);
    try {
      await db.run(`COPY FROM DATABASE ${quoted(source)} TO erased (SCHEMA)`);
      for (const { name } of tables) {
        const keep = name === EVENT_INDEX_TABLE ? `WHERE "${subject.column}" IS DISTINCT FROM $value` : '';
        await db.run(
          `INSERT INTO erased.main.${quoted(name)} SELECT * FROM ${quoted(source)}.main.${quoted(name)} ${keep}`,
          keep === '' ? undefined : { value: subject.value },
        );
      }
    } finally {
      await db.run('DETACH erased');
    }
  } catch (error) {
    db.close();
    await removeCopy(options.tempFile);
    throw error;
  }
  db.close();
  try {
    // Closing checkpoints both files; a write-ahead log left beside either would be replayed
    // against the wrong file after the rename.
    for (const wal of [`${file}.wal`, `${options.tempFile}.wal`]) {
      if (await present(wal)) throw new Error(`${wal} is still there after DuckDB closed the event index`);
    }
    await chmod(options.tempFile, (await stat(file)).mode & 0o777);
    await syncFile(options.tempFile);
  } catch (error) {
    await removeCopy(options.tempFile);
    throw error;
  }
  options.afterWrite?.();
  try {
    await rename(options.tempFile, file);
  } catch (error) {
    await removeCopy(options.tempFile);
    throw error;
  }
  await syncDirectory(dirname(file));
  return found;
}

async function removeCopy(tempFile: string): Promise<void> {
  await rm(tempFile, { force: true });
  await rm(`${tempFile}.wal`, { force: true });
}

async function present(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
