import { join } from 'node:path';
import { engineCacheDir } from './context';

/** Where the engine suite's reporter leaves its pass/fail counts for `engines/run.ts`. */
export function engineResultFile(): string {
  return join(engineCacheDir(), 'run', 'result.json');
}
