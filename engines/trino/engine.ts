import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine, EngineContext, RunningEngine } from '../engine';
import { buildMavenProject, builtMavenProject, type MavenProject } from '../maven-build';
import { freePort, startProcess } from '../process';
import { trinoQuery } from './client';
import { trinoFileRoot } from './files';

/** The Hive catalog over the node's local file system (LakeServer.java). */
export const TRINO_CATALOG = 'lake';
/** The Iceberg catalog on the same metastore; each catalog redirects the other's tables to it. */
export const TRINO_ICEBERG_CATALOG = 'iceberg';

// A cold JVM on two shared cores starts the node in about 10 s; the margin covers a busy machine.
const READY_TIMEOUT_MS = 120_000;
const HEAP = '2g';

const PROJECT: MavenProject = {
  name: 'trino',
  files: [
    'pom.xml',
    'src/main/java/clickstream/trino/LakeServer.java',
    'src/main/java/clickstream/trino/AthenaParameterRules.java',
  ],
  download: 'about 275 MB (the Trino 483 engine, Hive and Iceberg connectors)',
  javaHome: (context) => context.java25Home,
};

/**
 * The class path of the launcher and the rules check: their jar, then Trino's jars where Maven
 * keeps them in the cache's repository.
 */
export function trinoClassPath(context: Pick<EngineContext, 'root' | 'cacheDir'>): string {
  const dir = builtMavenProject(context, PROJECT);
  return `${join(dir, 'trino-lake-1.jar')}:${readFileSync(join(dir, 'classpath.txt'), 'utf8').trim()}`;
}

async function prepare(context: EngineContext): Promise<void> {
  await buildMavenProject(context, PROJECT);
}

/**
 * Trino's own readiness (`/v1/info` says `starting: false`), then the catalogs: the testing server
 * reports it has started as soon as it serves HTTP, before the launcher registers them.
 */
async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/v1/info`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok || ((await response.json()) as { starting?: boolean }).starting !== false) return false;
    const catalogs = await trinoQuery(url, 'SHOW CATALOGS');
    const names = new Set(catalogs.rows.map(([name]) => name));
    return names.has(TRINO_CATALOG) && names.has(TRINO_ICEBERG_CATALOG);
  } catch {
    return false;
  }
}

/**
 * One Trino 483 node on a free loopback port with the Hive catalog `lake` and the Iceberg catalog
 * `iceberg` (one file metastore, local file system rooted at `trinoFileRoot`, which is emptied at
 * start and at stop).
 */
async function start(context: EngineContext): Promise<RunningEngine> {
  const classPath = trinoClassPath(context);
  const files = trinoFileRoot(context.cacheDir);
  rmSync(files, { recursive: true, force: true });
  mkdirSync(join(files, 'tmp'), { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const node = await startProcess({
    name: 'trino',
    command: join(context.java25Home, 'bin', 'java'),
    args: [
      `-Xmx${HEAP}`,
      // The flags of Trino's own jvm.config that the engine needs: SIMD block encoding, native
      // compression libraries, and the memory access its libraries still make.
      '--add-modules=jdk.incubator.vector',
      '--enable-native-access=ALL-UNNAMED',
      '--sun-misc-unsafe-memory-access=allow',
      `-Djava.io.tmpdir=${join(files, 'tmp')}`,
      '-Dfile.encoding=UTF-8',
      '-cp',
      classPath,
      'clickstream.trino.LakeServer',
      String(port),
      files,
    ],
    // Airlift colours its log lines whenever Java reports a console, which Java 22+ always does.
    env: { ...process.env, NO_COLOR: '1' },
    logFile: join(context.logDir, 'trino.log'),
    ready: () => ready(url),
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  return {
    url,
    async stop() {
      await node.stop();
      rmSync(files, { recursive: true, force: true });
    },
  };
}

export const trinoEngine: Engine = { name: 'trino', prepare, start };
