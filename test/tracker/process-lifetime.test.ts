import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

/** Runs a scenario in its own Node process (tsx), optionally signalling it once it prints `ready`. */
function runScenario(name: string, args: string[] = [], signalWhenReady?: NodeJS.Signals): Promise<Exit> {
  const script = fileURLToPath(new URL(`./processes/${name}.ts`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (signalWhenReady !== undefined && stdout.includes('ready\n')) child.kill(signalWhenReady);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout }));
  });
}

describe('the process lifetime', () => {
  it('is not extended by the tracker when nothing awaits it', async () => {
    const exit = await runScenario('idle');

    expect(exit).toEqual({ code: 0, signal: null, stdout: '' });
  });

  it('lasts until an awaited flush is done, backoff included', async () => {
    const exit = await runScenario('await-flush');

    expect(exit).toEqual({ code: 0, signal: null, stdout: 'sent 1\ndelivered 1\n' });
  });

  it('ends only after closeOnShutdown delivered what is buffered, when the process ends on its own', async () => {
    const exit = await runScenario('close-on-shutdown', ['script']);

    expect(exit).toEqual({ code: 0, signal: null, stdout: 'sent 1\n' });
  });

  it('ends by the signal after closeOnShutdown delivered what is buffered, on SIGTERM', async () => {
    const exit = await runScenario('close-on-shutdown', ['server'], 'SIGTERM');

    expect(exit).toEqual({ code: null, signal: 'SIGTERM', stdout: 'ready\nsent 1\n' });
  });
});
