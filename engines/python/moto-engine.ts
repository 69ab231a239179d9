import { join } from 'node:path';
import type { Engine, EngineContext, RunningEngine } from '../engine';
import { freePort, httpOk, startProcess } from '../process';
import { preparePythonVenv, pythonVenvTool } from './venv';

// moto's server imports its backends lazily and listens in about a second.
const READY_TIMEOUT_MS = 60_000;

/**
 * moto's server (DynamoDB, SQS and the rest of its AWS services in one process) on a free
 * loopback port. It keeps everything in memory, so each run starts empty; tests use their own
 * table and queue names rather than resetting it.
 */
export const motoEngine: Engine = {
  name: 'moto',

  prepare: preparePythonVenv,

  async start(context: EngineContext): Promise<RunningEngine> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = await startProcess({
      name: 'moto',
      command: pythonVenvTool(context.cacheDir, 'python'),
      args: ['-m', 'moto.server', '--host', '127.0.0.1', '--port', String(port)],
      logFile: join(context.logDir, 'moto.log'),
      // Its own dashboard page: answered once the server routes requests.
      ready: () => httpOk(`${url}/moto-api/`),
      readyTimeoutMs: READY_TIMEOUT_MS,
    });
    return { url, stop: server.stop };
  },
};
