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
 * The process groups the suite started, one `<group> <owner>` line each, so `engines/run.ts` can
 * stop them whatever happens to the test process (a crash, Ctrl-C). The owner is the run that
 * started them (`engines/run.ts` hands its pid down; a bare vitest run owns its own), so one run
 * never stops the engines of another run sharing the cache.
 */
export function pidFile(): string {
  return join(engineCacheDir(), 'run', 'pids');
}

const OWNER_VARIABLE = 'CLICKSTREAM_ENGINES_OWNER';

/** Marks this process as the owner of every engine it (or its children) start. */
export function claimEngineOwnership(): void {
  process.env[OWNER_VARIABLE] = String(process.pid);
}

function currentOwner(): number {
  const owner = Number(process.env[OWNER_VARIABLE]);
  return Number.isInteger(owner) && owner > 0 ? owner : process.pid;
}

interface PidEntry {
  readonly group: number;
  readonly owner: number;
}

function readEntries(): PidEntry[] {
  if (!existsSync(pidFile())) return [];
  return readFileSync(pidFile(), 'utf8')
    .split('\n')
    .map((line) => line.split(' ').map(Number))
    .filter(([group, owner]) => Number.isInteger(group) && Number.isInteger(owner) && group! > 0)
    .map(([group, owner]) => ({ group: group!, owner: owner! }));
}

function writeEntries(entries: readonly PidEntry[]): void {
  mkdirSync(dirname(pidFile()), { recursive: true });
  writeFileSync(pidFile(), entries.map((entry) => `${entry.group} ${entry.owner}\n`).join(''));
}

function recordPid(group: number): void {
  mkdirSync(dirname(pidFile()), { recursive: true });
  appendFileSync(pidFile(), `${group} ${currentOwner()}\n`);
}

function forgetPid(group: number): void {
  writeEntries(readEntries().filter((entry) => entry.group !== group));
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
 * Kills the recorded process groups of this run (`'mine'`) or of runs that no longer exist
 * (`'orphaned'`), and forgets them. A group is killed only while its leader still runs a command
 * from the cache, so a recycled pid of an unrelated process is never touched.
 */
export function killRecordedProcesses(which: 'mine' | 'orphaned'): number {
  const cacheDir = engineCacheDir();
  const owner = currentOwner();
  const entries = readEntries();
  const chosen = (entry: PidEntry) =>
    which === 'mine' ? entry.owner === owner : entry.owner !== owner && !alive(entry.owner);
  let killed = 0;
  for (const entry of entries.filter(chosen)) {
    let commandLine = '';
    try {
      commandLine = readFileSync(`/proc/${entry.group}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!commandLine.includes(cacheDir)) continue;
    try {
      process.kill(-entry.group, 'SIGKILL');
      killed++;
    } catch {
      // Already gone.
    }
  }
  writeEntries(entries.filter((entry) => !chosen(entry)));
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
