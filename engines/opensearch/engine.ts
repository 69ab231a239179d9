import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine, EngineContext, RunningEngine } from '../engine';
import { buildMavenProject, builtMavenProject, type MavenProject } from '../maven-build';
import { freePort, httpOk, startProcess } from '../process';

// The node is ready in about 13 s on two idle cores, 20-35 s while other JVMs compete for them.
const READY_TIMEOUT_MS = 120_000;
const HEAP = '512m';

const PROJECT: MavenProject = {
  name: 'opensearch',
  files: [
    'pom.xml',
    'src/main/java/clickstream/engines/opensearch/OpenSearchNode.java',
    'src/main/resources/log4j2.properties',
  ],
  download: 'about 90 MB (the OpenSearch 2.19 server and module jars)',
  javaHome: (context) => context.java17Home,
};

function engineDir(cacheDir: string): string {
  return join(cacheDir, PROJECT.name);
}

/** The node's class path: the launcher jar and every dependency Maven copied beside it. */
function classPath(dir: string): string {
  return `${join(dir, 'opensearch-node-1.jar')}:${join(dir, 'lib', '*')}`;
}

async function prepare(context: EngineContext): Promise<void> {
  // Data folders of nodes a killed run could not remove (prepare runs before any node starts).
  rmSync(join(engineDir(context.cacheDir), 'run'), { recursive: true, force: true });
  await buildMavenProject(context, PROJECT);
}

/**
 * One OpenSearch 2.19 node on free loopback ports, with its data in a fresh folder that is removed
 * when it stops. No security plugin: plain HTTP, no SigV4, as the Lambdas' adapters see a domain
 * once signing is stripped.
 */
async function start(context: EngineContext): Promise<RunningEngine> {
  const dir = builtMavenProject(context, PROJECT);
  const runs = join(engineDir(context.cacheDir), 'run');
  mkdirSync(runs, { recursive: true });
  const home = mkdtempSync(join(runs, 'node-'));
  const tmp = join(home, 'tmp');
  mkdirSync(tmp);
  const [httpPort, transportPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${httpPort}`;
  const settings = {
    'path.home': home,
    'path.data': join(home, 'data'),
    'path.logs': join(home, 'logs'),
    'cluster.name': 'clickstream-engines',
    'node.name': 'engine-node',
    'discovery.type': 'single-node',
    'network.host': '127.0.0.1',
    'http.port': String(httpPort),
    'transport.port': String(transportPort),
    // A nearly full disk on a laptop or CI would otherwise turn indices read-only mid-suite.
    'cluster.routing.allocation.disk.threshold_enabled': 'false',
    // Tests delete their indices by pattern between files.
    'action.destructive_requires_name': 'false',
  };
  const node = await startProcess({
    name: 'opensearch',
    command: join(context.java17Home, 'bin', 'java'),
    args: [
      `-Xms${HEAP}`,
      `-Xmx${HEAP}`,
      `-Djava.io.tmpdir=${tmp}`,
      '-Dfile.encoding=UTF-8',
      '-Djava.awt.headless=true',
      '-cp',
      classPath(dir),
      'clickstream.engines.opensearch.OpenSearchNode',
      ...Object.entries(settings).map(([key, value]) => `${key}=${value}`),
    ],
    logFile: join(context.logDir, 'opensearch.log'),
    // The cluster health answers 408 until the single node has a yellow (or green) state.
    ready: () => httpOk(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`),
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  return {
    url,
    async stop() {
      await node.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export const openSearchEngine: Engine = { name: 'opensearch', prepare, start };
