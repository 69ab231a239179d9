import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FlushReport, PipelineStats } from '../../local/pipeline/local-pipeline';
import { type ServeProcess, startServeProcess, stopProcess } from '../e2e/serve-process';

export interface ServeRunnerOptions {
  dataDir: string;
  /** Fixed across restarts, so the clients keep their endpoint as they would keep Firehose's. */
  port: number;
  /** Extra `clickstream serve` options. */
  args?: string[];
  /** Extra environment of the serve process (TMPDIR, MAX_EVENT_AGE_DAYS). */
  env?: Record<string, string>;
  /** Each run's output goes to `<logPrefix>-<n>.log` once the process has exited. */
  logPrefix: string;
}

/** Every serve process any runner started and has not seen exit: killed if the hostile run stops early. */
const live = new Set<ServeProcess>();

/**
 * `clickstream serve` as a child process on one data dir and one loopback port, started, killed
 * and restarted by the fault runs, with the output of every run kept for the checks and the report.
 */
export class ServeRunner {
  private current: ServeProcess | undefined;
  private readonly outputs: string[] = [];
  starts = 0;

  constructor(readonly options: ServeRunnerOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get running(): boolean {
    return (
      this.current !== undefined &&
      this.current.child.exitCode === null &&
      this.current.child.signalCode === null
    );
  }

  /** Output of the current (or last) run. */
  output(): string {
    return this.current?.output() ?? '';
  }

  /** Output of every run so far, the current one included. */
  allOutput(): string {
    return [...this.outputs, this.output()].join('\n');
  }

  async start(): Promise<void> {
    if (this.current !== undefined) this.outputs.push(this.current.output());
    const args = [
      '--data-dir',
      this.options.dataDir,
      '--port',
      String(this.options.port),
      ...(this.options.args ?? []),
    ];
    // startServeProcess spawns before its first await, with this process's environment: the extra
    // variables are set only around that synchronous step.
    const saved = Object.entries(this.options.env ?? {}).map(([name]) => [name, process.env[name]] as const);
    Object.assign(process.env, this.options.env);
    const starting = startServeProcess(args);
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    try {
      this.current = await starting;
    } catch (error) {
      // A start that timed out leaves its process running: the data dir's lock names it.
      await this.killLockHolder();
      throw error;
    }
    live.add(this.current);
    this.starts += 1;
    const serve = this.current;
    const log = `${this.options.logPrefix}-${this.starts}.log`;
    // 'close' comes after the output pipes are drained, so the log is complete.
    serve.child.once('close', () => writeFileSync(log, serve.output()));
  }

  /** The log file of the current run (written once it exits). */
  get log(): string {
    return `${this.options.logPrefix}-${this.starts}.log`;
  }

  /** Sends `signal` and waits for the exit, at most `withinMs`; resolves with the exit code, or 'timeout'. */
  async stop(signal: NodeJS.Signals, withinMs = 120_000): Promise<number | null | 'timeout'> {
    const serve = this.current;
    if (serve === undefined) return null;
    const exited = stopProcess(serve.child, signal);
    const outcome = await Promise.race([exited, sleep(withinMs).then(() => 'timeout' as const)]);
    if (outcome !== 'timeout') live.delete(serve);
    return outcome;
  }

  /** Sends a signal without waiting. */
  signal(signal: NodeJS.Signals): void {
    this.current?.child.kill(signal);
  }

  /** Resolves with the exit code once the process exits, or 'timeout' after `withinMs`. */
  async exited(withinMs: number): Promise<number | null | 'timeout'> {
    const serve = this.current;
    if (serve === undefined) return null;
    if (serve.child.exitCode !== null || serve.child.signalCode !== null) return serve.child.exitCode;
    const exit = new Promise<number | null>((resolve) => serve.child.once('exit', (code) => resolve(code)));
    const outcome = await Promise.race([exit, sleep(withinMs).then(() => 'timeout' as const)]);
    if (outcome !== 'timeout') live.delete(serve);
    return outcome;
  }

  kill(): Promise<number | null | 'timeout'> {
    return this.stop('SIGKILL');
  }

  /** ClickstreamLocal.Flush, or 'timeout' when delivery does not finish within `withinMs`. */
  flush(withinMs: number): Promise<FlushReport | 'timeout'> {
    return this.local<FlushReport>('Flush', withinMs);
  }

  async stats(withinMs = 10_000): Promise<PipelineStats> {
    const stats = await this.local<PipelineStats>('Stats', withinMs);
    if (stats === 'timeout') throw new Error(`${this.url} did not answer Stats within ${withinMs} ms`);
    return stats;
  }

  private async local<T>(operation: string, withinMs: number): Promise<T | 'timeout'> {
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `ClickstreamLocal.${operation}`,
        },
        body: '{}',
        signal: AbortSignal.timeout(withinMs),
      });
      const body = (await response.json()) as T & { __type?: string; message?: string };
      if (!response.ok) {
        throw new Error(
          `${operation}: ${body.__type ?? response.status} ${body.message ?? ''}; serve said: ${problems(this.output())} (log: ${this.log})`,
        );
      }
      return body;
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') return 'timeout';
      throw error;
    }
  }

  private async killLockHolder(): Promise<void> {
    const pid = Number.parseInt(
      await readFile(join(this.options.dataDir, 'pipeline.pid'), 'utf8').catch(() => ''),
      10,
    );
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
    const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (command.includes('clickstream') && command.includes(this.options.dataDir))
      process.kill(pid, 'SIGKILL');
  }
}

/** The last few lines of a serve's output that report a problem. */
export function problems(output: string): string {
  const lines = output.split('\n').filter((line) => /error|fail|refus|cannot|could not/i.test(line));
  return lines.length === 0 ? 'nothing about a problem' : lines.slice(-3).join(' | ').slice(0, 600);
}

/** Kills every serve process still running (the run is stopping early). */
export function killAllServes(): void {
  for (const serve of live) serve.child.kill('SIGKILL');
  live.clear();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
