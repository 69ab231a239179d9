import type { QueryResult } from './result';

export const OUTPUT_FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The result as text in the chosen format, ending with a newline. */
export function formatResult(result: QueryResult, format: OutputFormat): string {
  switch (format) {
    case 'table':
      return formatTable(result);
    case 'csv':
      return formatCsv(result);
    case 'json':
      return formatJson(result);
  }
}

// Decimals print with at most this many places in the table; csv and json keep every digit.
const TABLE_DECIMALS = 4;

function formatTable(result: QueryResult): string {
  const header = result.columns.map((c) => c.name);
  const cells = result.rows.map((row) =>
    row.map((value, i) => {
      if (value === null) return 'NULL';
      if (result.columns[i]?.kind !== 'decimal') return value;
      const number = Number(value);
      return Number.isFinite(number) ? String(Number(number.toFixed(TABLE_DECIMALS))) : value;
    }),
  );
  const widths = header.map((name, i) => Math.max(name.length, ...cells.map((row) => row[i]!.length)));
  const numeric = result.columns.map((c) => c.kind === 'integer' || c.kind === 'decimal');
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const footer = `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`;
  return `${[line(header), rule, ...cells.map(line), footer].join('\n')}\n`;
}

function formatCsv(result: QueryResult): string {
  const field = (value: string | null) => {
    if (value === null) return '';
    return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  };
  const lines = [result.columns.map((c) => field(c.name)), ...result.rows.map((row) => row.map(field))];
  return lines.map((fields) => `${fields.join(',')}\r\n`).join('');
}

function formatJson(result: QueryResult): string {
  const objects = result.rows.map((row) =>
    Object.fromEntries(result.columns.map((c, i) => [c.name, jsonValue(row[i] ?? null, c.kind)])),
  );
  return `${JSON.stringify(objects, null, 2)}\n`;
}

/** A value as JSON: numbers and booleans typed, integers beyond 2^53 kept as text. */
export function jsonValue(value: string | null, kind: QueryResult['columns'][number]['kind']): unknown {
  if (value === null) return null;
  if (kind === 'boolean') return value === 'true';
  if (kind === 'integer') {
    // Integers beyond 2^53 stay text so that no digit is lost.
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : value;
  }
  if (kind === 'decimal') {
    const number = Number(value);
    return Number.isFinite(number) ? number : value;
  }
  return value;
}
