import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isLocalStreamName } from '../../../local/pipeline/data-dir';
import { startLocalPipeline } from '../../../local/pipeline/local-pipeline';

describe('isLocalStreamName', () => {
  it.each(['clickstream-events', 'a', 'a.b_c-1', 'x'.repeat(64)])('accepts %s', (name) => {
    expect(isLocalStreamName(name)).toBe(true);
  });

  it.each(['', '.', '..', '...', 'a/b', '../x', 'a b', 'x'.repeat(65)])('refuses %j', (name) => {
    expect(isLocalStreamName(name)).toBe(false);
  });
});

describe('startLocalPipeline', () => {
  let dataDir: string | undefined;
  afterEach(async () => {
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a stream name that would put the spool outside the data dir', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'clickstream-stream-name-'));

    await expect(startLocalPipeline({ dataDir, streamName: '..', port: 0 })).rejects.toThrow(
      /stream name "\.\." is not a delivery stream name/,
    );
  });
});
