import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { validEvent } from '../../contract/validate-cases';
import { firehoseEvent, rawRecord, recordOf } from './firehose-records';

// The handler builds its logger, metrics and config on first use and keeps them, so each test
// loads a fresh copy of the module under the environment it sets.
async function loadHandler(env: Record<string, string>) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  const { handler } = await import('../../../lambdas/transform/handler');
  // What matters in a long-running process is what each invocation writes, not what loading did.
  written.length = 0;
  return handler;
}

/** Everything written to stdout and stderr (Powertools writes warnings to stderr). */
let written: string[];

beforeEach(() => {
  written = [];
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  // console.* adds the newline that stream writes carry themselves.
  const captureLine = (...args: unknown[]) => capture(`${args.join(' ')}\n`);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  vi.spyOn(console, 'log').mockImplementation(captureLine);
  vi.spyOn(console, 'info').mockImplementation(captureLine);
  vi.spyOn(console, 'warn').mockImplementation(captureLine);
  vi.spyOn(console, 'error').mockImplementation(captureLine);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const secret = 'payload-secret-4711';
const batch = firehoseEvent([
  recordOf(validEvent({ event_id: 'a' }), 'r-ok'),
  recordOf(validEvent({ event_id: 'a' }), 'r-dup'),
  recordOf(validEvent({ event_id: 'b', advertiser_id: `../${secret}` }), 'r-bad'),
  rawRecord('!!!!', 'r-garbage'),
]);

/** The JSON objects written to stdout and stderr (log lines and EMF metric blobs). */
function jsonLines(): Array<Record<string, unknown>> {
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

describe('handler', () => {
  it('answers every record, in order', async () => {
    const handler = await loadHandler({
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });

    const result = await handler(batch);

    expect(result.records.map((r) => [r.recordId, r.result])).toEqual([
      ['r-ok', 'Ok'],
      ['r-dup', 'Dropped'],
      ['r-bad', 'ProcessingFailed'],
      ['r-garbage', 'ProcessingFailed'],
    ]);
  });

  it('writes nothing per invocation when metrics are disabled and logging is silent (as the local pipeline runs it)', async () => {
    const handler = await loadHandler({
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });

    await handler(batch);

    expect(written).toEqual([]);
  });

  it('logs one warning per refused record with its id, reason and field, never the payload', async () => {
    const handler = await loadHandler({ POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'WARN' });

    await handler(batch);

    const warnings = jsonLines().filter((line) => line.level === 'WARN');
    expect(warnings).toEqual([
      expect.objectContaining({
        message: 'record refused',
        invocationId: 'invocation-1',
        recordId: 'r-bad',
        reason: 'invalid_advertiser_id',
        field: '/advertiser_id',
      }),
      expect.objectContaining({ recordId: 'r-garbage', reason: 'invalid_base64' }),
    ]);
    expect(written.join('')).not.toContain(secret);
  });

  it('publishes a count per outcome and a count per failure reason', async () => {
    const handler = await loadHandler({
      POWERTOOLS_METRICS_DISABLED: 'false',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_NAMESPACE: 'ClickstreamTest',
    });

    await handler(batch);

    const blobs = jsonLines().filter((line) => '_aws' in line);
    expect(blobs).toContainEqual(
      expect.objectContaining({ RecordsOk: 1, RecordsDropped: 1, RecordsProcessingFailed: 2 }),
    );
    expect(blobs).toContainEqual(
      expect.objectContaining({ reason: 'invalid_advertiser_id', RecordsFailed: 1 }),
    );
    expect(blobs).toContainEqual(expect.objectContaining({ reason: 'invalid_base64', RecordsFailed: 1 }));
  });

  it('fails fast, naming the variable, on a bad setting', async () => {
    const handler = await loadHandler({ IP_ANONYMISATION: 'sometimes', POWERTOOLS_LOG_LEVEL: 'SILENT' });

    await expect(handler(batch)).rejects.toThrow(/IP_ANONYMISATION must be one of truncate, keep, drop/);
  });
});
