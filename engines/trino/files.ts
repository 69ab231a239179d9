import { isAbsolute, join, relative, sep } from 'node:path';

/**
 * The root of the Trino node's local file system (`local.location`): its file metastore and any
 * lake a test writes for it live here. The engine empties it at start and at stop.
 */
export function trinoFileRoot(cacheDir: string): string {
  return join(cacheDir, 'trino', 'files');
}

/** A directory under the root as Trino names it: `local:///lakes/x`. Throws for one outside the root. */
export function trinoLocation(cacheDir: string, dir: string): string {
  const path = relative(trinoFileRoot(cacheDir), dir);
  if (path === '' || path.startsWith('..') || isAbsolute(path)) {
    throw new Error(`${dir} is not under Trino's file root ${trinoFileRoot(cacheDir)}`);
  }
  return `local:///${path.split(sep).join('/')}`;
}
