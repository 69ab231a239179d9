import { Option } from 'commander';

/** The local data dir when `--data-dir` is not given: `.clickstream/` in the current directory (git-ignored). */
export const DEFAULT_DATA_DIR = '.clickstream';

/**
 * The `--data-dir` option every local command takes; `holds` says what the command finds there.
 * A new Option each call: commander keeps per-command state on it.
 */
export function dataDirOption(holds = 'lake, spool, event index, summaries'): Option {
  return new Option('--data-dir <dir>', `local data directory (${holds})`).default(DEFAULT_DATA_DIR);
}
