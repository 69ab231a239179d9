import { Option } from 'commander';
import { toEpochMillis } from '../contract';
import { UsageError } from './errors';

/** The local data dir when `--data-dir` is not given: `.clickstream/` in the current directory (git-ignored). */
export const DEFAULT_DATA_DIR = '.clickstream';

/**
 * The `--data-dir` option every local command takes; `holds` says what the command finds there.
 * A new Option each call: commander keeps per-command state on it.
 */
export function dataDirOption(holds = 'lake, spool, event index, summaries'): Option {
  return new Option('--data-dir <dir>', `local data directory (${holds})`).default(DEFAULT_DATA_DIR);
}

/** The `--opensearch-url` option of the commands that run the pipeline (a new Option each call). */
export function openSearchUrlOption(): Option {
  return new Option(
    '--opensearch-url <url>',
    'use the OpenSearch node at this http(s) URL as the event index instead of the embedded DuckDB ' +
      '(no credentials are sent: a local node without the security plugin)',
  );
}

/** The `--opensearch-url` value as the node's base URL, or a UsageError saying what is wrong. */
export function openSearchUrlFrom(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new UsageError(
      `--opensearch-url must be an http:// or https:// URL such as http://127.0.0.1:9200 (got ${JSON.stringify(raw)})`,
    );
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new UsageError(
      `--opensearch-url takes the node's address only, without credentials, query or fragment (got ${JSON.stringify(raw)})`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** A time flag's value (ISO-8601 with an offset) in epoch milliseconds, or a UsageError naming the flag. */
export function isoTimeFlag(flag: string, text: string): number {
  const millis = toEpochMillis(text);
  if (Number.isNaN(millis)) {
    throw new UsageError(
      `${flag} ${JSON.stringify(text)} is not an ISO-8601 time with an offset, e.g. 2026-11-22T10:00:00Z`,
    );
  }
  return millis;
}
