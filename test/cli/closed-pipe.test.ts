import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { exitQuietlyWhenPipeCloses } from '../../cli/closed-pipe';

function writeError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`write ${code}`), { code, syscall: 'write' });
}

describe('a closed stdout', () => {
  it('ends the process with exit code 0 on EPIPE', () => {
    const stdout = new PassThrough();
    const exit = vi.fn();
    exitQuietlyWhenPipeCloses(stdout, exit);

    stdout.emit('error', writeError('EPIPE'));

    expect(exit).toHaveBeenCalledExactlyOnceWith(0);
  });

  it('lets any other write error through', () => {
    const stdout = new PassThrough();
    const exit = vi.fn();
    exitQuietlyWhenPipeCloses(stdout, exit);

    expect(() => stdout.emit('error', writeError('EIO'))).toThrow('write EIO');
    expect(exit).not.toHaveBeenCalled();
  });
});

describe('clickstream ... | head', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clickstream-pipe-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops quietly when the reader closes the pipe after the first lines', async () => {
    // Enough output that the command is still writing when the reader goes away.
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, '{"event_type":"click"}\n'.repeat(5000));
    const cli = fileURLToPath(new URL('../../cli/clickstream.js', import.meta.url));
    const child = spawn(process.execPath, [cli, 'transform', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });

    const [firstChunk] = (await once(child.stdout, 'data')) as [Buffer];
    child.stdout.destroy();
    const [code] = (await once(child, 'exit')) as [number | null];

    expect(firstChunk.toString('utf8')).toMatch(/^record\s+result/);
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});
