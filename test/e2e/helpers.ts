import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { FirehoseClient } from '@aws-sdk/client-firehose';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../cli/clickstream.js', import.meta.url));

/** Runs `clickstream <args>` in a child process; a non-zero exit is a result, not an error. */
export async function clickstream(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 240_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Every JSON line of every gzip object under a lake prefix (events/ or errors/). */
export async function readLake<T = Record<string, unknown>>(lakeDir: string, prefix: string): Promise<T[]> {
  const root = join(lakeDir, prefix);
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const rows: T[] = [];
  for (const entry of entries.filter((e) => e.isFile() && e.name.endsWith('.gz'))) {
    const text = gunzipSync(await readFile(join(entry.parentPath, entry.name))).toString('utf8');
    for (const line of text.split('\n')) if (line.length > 0) rows.push(JSON.parse(line) as T);
  }
  return rows;
}

/** The real SDK client pointed at a local endpoint, with dummy credentials. */
export function localFirehoseClient(endpoint: string): FirehoseClient {
  return new FirehoseClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/** Calls one of the endpoint's own operations (`ClickstreamLocal.<name>`: Describe, Stats, Flush). */
export async function localOperation(url: string, operation: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'x-amz-target': `ClickstreamLocal.${operation}`,
      'content-type': 'application/x-amz-json-1.1',
    },
    body: '{}',
  });
  return (await response.json()) as Record<string, unknown>;
}

export function wireEvent(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: id,
    event_type: 'impression',
    advertiser_id: 'adv-e2e',
    event_time: new Date().toISOString(),
    user_id: `user-${id}`,
    ...overrides,
  };
}

// Child processes start slowly on a busy 2-core CI runner: a ceiling, not a timing assertion.
export const PROCESS_TEST_CEILING_MS = 300_000;

export const silenceLambdaTelemetry = () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
};
