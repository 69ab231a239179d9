import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  resolveStageConfig,
  STAGE_DEFAULTS,
  type StageOverrides,
  stageConfigFromContext,
} from '../../lib/config';

describe('resolveStageConfig', () => {
  it.each(Object.keys(STAGE_DEFAULTS))('accepts the %s defaults', (stage) => {
    const config = resolveStageConfig(stage);

    expect(config.stage).toBe(stage);
  });

  it('gives the summaries their documented defaults', () => {
    const config = resolveStageConfig('dev');

    expect(config.latenessHorizonMinutes).toBe(180);
    expect(config.summaryScheduleMinutes).toBe(15);
    expect(config.alarmEmail).toBeUndefined();
  });

  it.each(Object.keys(STAGE_DEFAULTS))('refuses events older than 30 days in the %s stage', (stage) => {
    expect(resolveStageConfig(stage).transform.maxEventAgeDays).toBe(30);
  });

  it("accepts a processor buffer below 1 MiB, down to Firehose's 0.2", () => {
    expect(
      resolveStageConfig('dev', { firehose: { processorBufferSizeMiB: 0.2 } }).firehose
        .processorBufferSizeMiB,
    ).toBe(0.2);
  });

  it('merges overrides key by key inside a section', () => {
    const config = resolveStageConfig('prod', { opensearch: { instanceCount: 6 } });

    expect(config.opensearch.instanceCount).toBe(6);
    expect(config.opensearch.instanceType).toBe(STAGE_DEFAULTS.prod?.opensearch.instanceType);
  });

  it.each<[string, StageOverrides, string]>([
    [
      'prod',
      { opensearch: { instanceCount: 4 } },
      'stage prod: opensearch.instanceCount must be an integer from 1 to 80 and a multiple of opensearch.availabilityZones (3), so that every zone holds the same number of data nodes and one copy of each shard, got 4',
    ],
    [
      'dev',
      { opensearch: { availabilityZones: 2 } },
      'stage dev: opensearch.instanceCount must be an integer from 1 to 80 and a multiple of opensearch.availabilityZones (2)',
    ],
    ['dev', { opensearch: { instanceCount: 0 } }, 'stage dev: opensearch.instanceCount must be'],
    [
      'dev',
      { opensearch: { engineVersion: '2.5' } } as unknown as StageOverrides,
      'stage dev: opensearch.engineVersion must be one of 2.19, 3.1, 3.3',
    ],
    ['dev', { opensearch: { instanceType: 'm7g.large' } }, 'stage dev: opensearch.instanceType must be'],
    [
      'dev',
      { opensearch: { dedicatedManagerCount: 2 } },
      'stage dev: opensearch.dedicatedManagerCount must be',
    ],
    [
      'dev',
      { summaryScheduleMinutes: 0 },
      'stage dev: summaryScheduleMinutes must be an integer from 1 to 60',
    ],
    [
      'dev',
      { summaryScheduleMinutes: 61 },
      'stage dev: summaryScheduleMinutes must be an integer from 1 to 60',
    ],
    ['dev', { latenessHorizonMinutes: -1 }, 'stage dev: latenessHorizonMinutes must be'],
    ['dev', { logRetentionDays: 10 }, 'stage dev: logRetentionDays must be one of'],
    ['dev', { alarmEmail: 'ops.example.com' }, 'stage dev: alarmEmail must be an e-mail address'],
    [
      'dev',
      { lake: { eventsInfrequentAccessAfterDays: 29 } },
      'stage dev: lake.eventsInfrequentAccessAfterDays',
    ],
    ['dev', { lake: { eventsArchiveAfterDays: 45 } }, 'stage dev: lake.eventsArchiveAfterDays must be'],
    [
      'dev',
      { firehose: { processorBufferSizeMiB: 3 } },
      'stage dev: firehose.processorBufferSizeMiB must be a number from 0.2 to 1: a transform invocation carries at most 6 MB each way, and the response to 1 MiB of records measured 2.6 MB for typical events and 4.1 MB for the worst ordinary ones (2 MiB: 5.2 MB and 8.2 MB; `npm run bench lambda-payload`), got 3',
    ],
    [
      'prod',
      { firehose: { processorBufferSizeMiB: 2 } },
      'stage prod: firehose.processorBufferSizeMiB must be',
    ],
    [
      'dev',
      { firehose: { processorBufferSizeMiB: 0.1 } },
      'stage dev: firehose.processorBufferSizeMiB must be',
    ],
    ['dev', { firehose: { retryDurationSeconds: 7201 } }, 'stage dev: firehose.retryDurationSeconds'],
    ['dev', { transform: { timeoutSeconds: 301 } }, 'stage dev: transform.timeoutSeconds'],
    ['dev', { transform: { memoryMiB: 1.5 } }, 'stage dev: transform.memoryMiB'],
    ['dev', { transform: { maxEventAgeDays: 0 } }, 'stage dev: transform.maxEventAgeDays must be'],
    [
      'prod',
      { latenessHorizonMinutes: 1440, transform: { maxEventAgeDays: 1 } },
      'stage prod: transform.maxEventAgeDays must be an integer from 1 to 36525 and longer than latenessHorizonMinutes (1440 minutes), got 1',
    ],
    ['dev', { athena: { bytesScannedCutoffPerQuery: 1024 } }, 'stage dev: athena.bytesScannedCutoffPerQuery'],
  ])('stage %s with %j fails naming the key', (stage, overrides, message) => {
    expect(() => resolveStageConfig(stage, overrides)).toThrow(ConfigError);
    expect(() => resolveStageConfig(stage, overrides)).toThrow(message);
  });

  it('names an unknown key instead of ignoring it', () => {
    const overrides = { opensearch: { instanceCnt: 3 } } as unknown as StageOverrides;

    expect(() => resolveStageConfig('dev', overrides)).toThrow(
      'unknown configuration key(s) opensearch.instanceCnt',
    );
  });

  it('lists the known stages for an unknown one', () => {
    expect(() => resolveStageConfig('qa')).toThrow("unknown stage 'qa': expected one of dev, prod");
  });
});

describe('stageConfigFromContext', () => {
  it('parses the config context given as JSON on the command line', () => {
    const config = stageConfigFromContext('dev', '{"alarmEmail":"ops@example.com"}');

    expect(config.alarmEmail).toBe('ops@example.com');
  });

  it('reports JSON that does not parse', () => {
    expect(() => stageConfigFromContext('dev', '{alarmEmail')).toThrow(
      "stage dev: context 'config' is not valid JSON",
    );
  });

  it('reports a config context that is not an object', () => {
    expect(() => stageConfigFromContext('dev', '[1]')).toThrow(
      "stage dev: context 'config' must be a JSON object",
    );
  });
});
