import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  isLoopback,
  type PipelineFlags,
  pipelineOptionsFrom,
  startupHints,
  withPipelineOptions,
} from '../../../cli/commands/serve';
import { UsageError } from '../../../cli/errors';
import { validateWireEvent } from '../../../contract';

const defaults: PipelineFlags = {
  dataDir: '.clickstream',
  stream: 'clickstream-local',
  bufferSize: '1',
  bufferInterval: '5',
  summaryInterval: '60',
  latenessHorizon: '180',
};

describe('pipeline options from the flags', () => {
  it('reads sizes in MiB and intervals in seconds', () => {
    const options = pipelineOptionsFrom({ ...defaults, bufferSize: '0.5', bufferInterval: '2.5' });

    expect(options).toMatchObject({
      dataDir: '.clickstream',
      streamName: 'clickstream-local',
      buffering: { sizeBytes: 524_288, intervalMs: 2500 },
      summaryIntervalSeconds: 60,
      latenessHorizonMinutes: 180,
    });
  });

  it.each(['a', 'my.stream_2-b', 'x'.repeat(64)])('takes the stream name %s', (stream) => {
    expect(pipelineOptionsFrom({ ...defaults, stream }).streamName).toBe(stream);
  });

  it.each(['..', '.', '../outside', 'a/b', 'with space', '', 'x'.repeat(65)])(
    'refuses the stream name %j, which is no Firehose name or would leave spool/',
    (stream) => {
      expect(() => pipelineOptionsFrom({ ...defaults, stream })).toThrow(UsageError);
      expect(() => pipelineOptionsFrom({ ...defaults, stream })).toThrow(
        '--stream must be a delivery stream name',
      );
    },
  );

  it.each([
    [{ bufferSize: '0' }, '--buffer-size must be a number from 0.001 to 128 (got "0")'],
    [{ bufferInterval: 'soon' }, '--buffer-interval must be a number from 0 to 900'],
    [{ summaryInterval: ' ' }, '--summary-interval must be a number from 0 to 86400'],
    [{ latenessHorizon: '10081' }, '--lateness-horizon must be a number from 0 to 10080'],
  ])('refuses %o as a usage error', (flags, message) => {
    expect(() => pipelineOptionsFrom({ ...defaults, ...flags })).toThrow(message);
  });
});

describe('the event index flag', () => {
  const parse = (args: string[]) =>
    withPipelineOptions(new Command('serve').exitOverride())
      .parse(args, { from: 'user' })
      .opts<PipelineFlags>();

  it('uses DuckDB without --opensearch-url', () => {
    expect(pipelineOptionsFrom(parse([])).openSearchUrl).toBeUndefined();
  });

  it('passes the node URL of --opensearch-url to the pipeline', () => {
    expect(pipelineOptionsFrom(parse(['--opensearch-url', 'http://127.0.0.1:9200/'])).openSearchUrl).toBe(
      'http://127.0.0.1:9200',
    );
  });

  it('refuses a URL that is not http(s) as a usage error', () => {
    expect(() => pipelineOptionsFrom(parse(['--opensearch-url', '127.0.0.1:9200']))).toThrow(UsageError);
  });
});

describe('isLoopback (serve warns for any other --host)', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])('%s is loopback', (host) => {
    expect(isLoopback(host)).toBe(true);
  });

  it.each(['0.0.0.0', '192.168.1.10', '::', 'example.com', '128.0.0.1'])('%s is not', (host) => {
    expect(isLoopback(host)).toBe(false);
  });
});

// Each hint is run as printed against a real serve in test/e2e/serve-hints.e2e.test.ts.
describe('the start-up hints', () => {
  const pipeline = {
    endpointUrl: 'http://127.0.0.1:4573',
    streamName: 'clickstream-events',
    region: 'us-east-1',
  };

  it('quote an endpoint the shell would otherwise take as a pattern (IPv6)', () => {
    const [, v2, v1] = startupHints({ ...pipeline, endpointUrl: 'http://[::1]:4573' }, 0);

    expect(v2).toContain("--endpoint-url 'http://[::1]:4573' ");
    expect(v1).toContain("--endpoint-url 'http://[::1]:4573' ");
  });

  it('send an event the transform takes, timed when serve started', () => {
    const [, v2] = startupHints(pipeline, Date.parse('2026-11-22T07:30:00.000Z'));
    const record = JSON.parse(/--record '(.*)'$/.exec(v2 ?? '')?.[1] ?? '{}') as { Data: string };

    expect(validateWireEvent(JSON.parse(record.Data))).toMatchObject({
      ok: true,
      event: { event_time: '2026-11-22T07:30:00.000Z' },
    });
    expect(record.Data.endsWith('\n')).toBe(true);
  });
});
