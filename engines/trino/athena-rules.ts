import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EngineContext } from '../engine';
import { trinoClassPath } from './engine';

/** A `?` outside a WHERE clause (with the innermost clause that holds it), or too many of them. */
export interface AthenaRuleViolation {
  line?: number;
  column?: number;
  /** `SELECT list`, `JOIN ON`, `UNNEST`, ...; `query` for the parameter count. */
  clause: string;
  message?: string;
}

/** What the check found in one SQL file: its parameter count and violations, or why it did not parse. */
export interface AthenaRulesReport {
  file: string;
  parameters?: number;
  violations?: AthenaRuleViolation[];
  error?: string;
}

const run = promisify(execFile);

/**
 * Checks SQL files against Athena's rules for `?` execution parameters with Trino's own parser
 * (AthenaParameterRules.java, built by the Trino engine's prepare): every `?` in a WHERE clause, at
 * most 25 per query. Trino runs such queries either way, so only this check catches a violation.
 */
export async function checkAthenaParameterRules(
  context: Pick<EngineContext, 'root' | 'cacheDir' | 'java25Home'>,
  files: readonly string[],
): Promise<AthenaRulesReport[]> {
  const args = ['-cp', trinoClassPath(context), 'clickstream.trino.AthenaParameterRules', ...files];
  const output = await run(join(context.java25Home, 'bin', 'java'), args, {
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { code?: number; stdout?: string }) => {
    // Exit 1 means a file broke a rule or did not parse; the report says which.
    if (error.code === 1 && error.stdout !== undefined) return { stdout: error.stdout };
    throw error;
  });
  return JSON.parse(output.stdout) as AthenaRulesReport[];
}
