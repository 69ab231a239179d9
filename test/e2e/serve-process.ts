import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../cli/clickstream.js', import.meta.url));
const STARTUP_TIMEOUT_MS = 60_000;

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far (for failure messages). */
  output(): string;
}

/** Runs `clickstream serve` in a child process on a free loopback port and waits until it listens. */
export async function startServeProcess(args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start in time:\n${output}`)),
      STARTUP_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Firehose endpoint on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
  return { url, child, output: () => output };
}

/**
 * Stops the process with a signal and waits for it to exit and its output to be read to the end;
 * resolves with its exit code.
 */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'close');
  child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

/** Resolves once the process has printed something matching `pattern` (bounded by the test's own timeout). */
export async function waitForOutput(serve: ServeProcess, pattern: RegExp): Promise<void> {
  while (!pattern.test(serve.output())) {
    if (serve.child.exitCode !== null || serve.child.signalCode !== null) {
      throw new Error(`serve exited before printing ${pattern}:\n${serve.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
