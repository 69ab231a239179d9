import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadSavedQueries } from '../../../analytics/catalog';
import { findPrerequisites, repositoryRoot } from '../../../engines/context';
import { type AthenaRulesReport, checkAthenaParameterRules } from '../../../engines/trino/athena-rules';

const context = {
  root: repositoryRoot(),
  cacheDir: inject('enginesCacheDir'),
  java25Home: findPrerequisites().java25Home,
};

describe("Athena's rules for execution parameters, checked with Trino's parser", () => {
  it('hold for every saved query, and the parser finds the placeholders the catalog counts', async () => {
    const queries = loadSavedQueries();

    const reports = await checkAthenaParameterRules(
      context,
      queries.map((q) => q.file),
    );

    expect(reports).toEqual(
      queries.map((q) => ({ file: q.file, parameters: q.placeholders.length, violations: [] })),
    );
  });

  describe('find each misplaced or surplus parameter', () => {
    const where = (count: number) =>
      `SELECT 1 FROM events WHERE ${Array.from({ length: count }, () => 'x = ?').join(' OR ')}`;
    const cases: [name: string, sql: string, clauses: string[]][] = [
      ['a SELECT list', 'SELECT element_at(properties, ?) FROM events', ['SELECT list']],
      ['a JOIN ON', 'SELECT 1 FROM a JOIN b ON a.x = b.x AND a.t < b.t + ?', ['JOIN ON']],
      ['an UNNEST', 'SELECT d FROM UNNEST(sequence(?, ?)) AS t (d)', ['UNNEST', 'UNNEST']],
      ['VALUES', 'SELECT * FROM (VALUES (?)) AS t (x)', ['VALUES']],
      ['GROUP BY and HAVING', 'SELECT x FROM t GROUP BY x, ? HAVING count(*) > ?', ['GROUP BY', 'HAVING']],
      ['LIMIT', 'SELECT x FROM t WHERE y = ? LIMIT ?', ['LIMIT']],
      [
        "a JOIN ON inside a WHERE's subquery",
        'SELECT 1 FROM t WHERE x IN (SELECT a.x FROM a JOIN b ON a.y = ?)',
        ['JOIN ON'],
      ],
      [
        "a CTE's SELECT list",
        'WITH c AS (SELECT ? AS p FROM t WHERE x = ?) SELECT p FROM c',
        ['SELECT list'],
      ],
      ['26 parameters', where(26), ['query']],
      [
        'nothing: every ? in a WHERE',
        'WITH c AS (SELECT x FROM t WHERE d = ?) SELECT x FROM c WHERE x > ?',
        [],
      ],
      ['nothing: 25 parameters', where(25), []],
      ["nothing: '?' in a string and a comment", "SELECT '?' FROM t -- ?\nWHERE x = ?", []],
    ];
    const dir = mkdtempSync(join(tmpdir(), 'athena-rules-'));
    const files = cases.map(([, sql], i) => {
      const file = join(dir, `case-${i}.sql`);
      writeFileSync(file, sql);
      return file;
    });
    let reports: AthenaRulesReport[] = [];
    // One JVM for every case.
    beforeAll(async () => {
      reports = await checkAthenaParameterRules(context, files);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each(cases.map(([name, , clauses], i) => ({ name, clauses, file: files[i] })))(
      '$name',
      ({ file, clauses }) => {
        const report = reports.find((r) => r.file === file);

        expect(report?.error).toBeUndefined();
        expect(report?.violations?.map((v) => v.clause)).toEqual(clauses);
      },
    );
  });
});
