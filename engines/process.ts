import { type ChildProcess, spawn } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { engineCacheDir } from './context';

/** A free TCP port on 127.0.0.1, as the OS hands it out (released before the engine binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** True when `url` answers 2xx within a few seconds; false on any error. */
export async function httpOk(url: string, init: RequestInit = {}): Promise<boolean> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * The process groups the suite started, one per line, so `engines/run.ts` can stop them whatever
 * happens to the test process (a crash, Ctrl-C), and clear leftovers of an earlier killed run.
 */
export function pidFile(): string {
  return join(engineCacheDir(), 'run', 'pids');
}

function recordPid(pid: number): void {
  mkdirSync(dirname(pidFile()), { recursive: true });
  appendFileSync(pidFile(), `${pid}\n`);
}

function forgetPid(pid: number): void {
  if (!existsSync(pidFile())) return;
  const rest = readFileSync(pidFile(), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && line !== String(pid));
  writeFileSync(pidFile(), rest.map((line) => `${line}\n`).join(''));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Kills every recorded process group whose leader still runs a command from the cache (so a
 * recycled pid of an unrelated process is never touched), then empties the record.
 */
export function killRecordedProcesses(): number {
  if (!existsSync(pidFile())) return 0;
  const cacheDir = engineCacheDir();
  let killed = 0;
  for (const line of readFileSync(pidFile(), 'utf8').split('\n')) {
    const pid = Number(line);
    if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) continue;
    let commandLine = '';
    try {
      commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!commandLine.includes(cacheDir)) continue;
    try {
      process.kill(-pid, 'SIGKILL');
      killed++;
    } catch {
      // Already gone.
    }
  }
  writeFileSync(pidFile(), '');
  return killed;
}

export interface ProcessSpec {
  /** Names the process in errors. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** stdout and stderr go here; a failed start names it. */
  readonly logFile: string;
  /** The engine's own readiness check; polled until true. */
  ready(): Promise<boolean>;
  readonly readyTimeoutMs: number;
}

export interface StartedProcess {
  readonly pid: number;
  /** SIGTERM to the whole group, SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolveExit) => child.once('exit', () => resolveExit()));
}

function logTail(logFile: string, lines = 30): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts a long-running engine process in its own process group, waits until `ready()` passes
 * (or the process exits, or the bounded wait runs out, which stop it and reject naming the log).
 */
export async function startProcess(spec: ProcessSpec): Promise<StartedProcess> {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const log = openSync(spec.logFile, 'w');
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${spec.name}: could not start ${spec.command}`);
  recordPid(pid);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const done = exited(child);
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }, STOP_GRACE_MS);
      await done;
      clearTimeout(timer);
      forgetPid(pid);
    })();
    return stopping;
  };

  const deadline = Date.now() + spec.readyTimeoutMs;
  let exitedEarly = false;
  child.once('exit', () => {
    exitedEarly = true;
  });
  while (!(await spec.ready())) {
    if (exitedEarly || Date.now() > deadline) {
      await stop();
      const why = exitedEarly
        ? `exited with ${child.exitCode ?? child.signalCode}`
        : `was not ready within ${spec.readyTimeoutMs / 1000} s`;
      throw new Error(`${spec.name} ${why}; log: ${spec.logFile}\n${logTail(spec.logFile)}`);
    }
    await sleep(500);
  }
  return { pid, stop };
}

export interface CommandOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Output goes here as well as into the error's tail. */
  readonly logFile?: string;
}

/** Runs a build or install step to completion; rejects with its exit code and the output's tail. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: CommandOptions = {},
): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-64_000);
      if (options.logFile !== undefined) appendFileSync(options.logFile, chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolveRun();
      else {
        const tail = output.trimEnd().split('\n').slice(-40).join('\n');
        reject(new Error(`${command} ${args.join(' ')} failed (${code ?? signal}):\n${tail}`));
      }
    });
  });
}
