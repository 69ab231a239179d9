/**
 * An engine of the engine suite (`npm run test:engines`): a real implementation of something the
 * product talks to on AWS (OpenSearch, Trino for Athena, moto for DynamoDB and SQS), run here as a
 * plain process on loopback.
 */
export interface EngineContext {
  /** The repository root. */
  readonly root: string;
  /** Git-ignored cache of downloads and builds; an engine keeps its files in `<cacheDir>/<name>`. */
  readonly cacheDir: string;
  /** Where each engine writes its log file; a failed start names the file. */
  readonly logDir: string;
  readonly java17Home: string;
  readonly java25Home: string;
  /** A python3 executable with the venv module. */
  readonly python: string;
  /** Maven's local repository inside the cache, so downloads stay with the project. */
  readonly mavenRepo: string;
  /** Prints one progress line (stderr), for the long first run. */
  progress(message: string): void;
}

export interface RunningEngine {
  /** Base URL on 127.0.0.1. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface Engine {
  readonly name: string;
  /** Downloads or builds what the engine needs into the cache; idempotent, quick when cached. */
  prepare(context: EngineContext): Promise<void>;
  /**
   * Starts the engine on a free loopback port and resolves once its own health check passes,
   * within a bounded wait; rejects with a message naming the log file.
   */
  start(context: EngineContext): Promise<RunningEngine>;
}
