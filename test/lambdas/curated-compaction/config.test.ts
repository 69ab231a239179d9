import { describe, expect, it } from 'vitest';
import { readCompactionConfig } from '../../../lambdas/curated-compaction/config';
import { ConfigError } from '../../../lambdas/shared/env';

const ENV = {
  AWS_REGION: 'eu-west-1',
  LAKE_BUCKET: 'lake',
  WATERMARK_KEY: 'compaction/watermark.json',
  CURATED_LOCATION: 's3://lake/curated/',
  OVERLAP_HOURS: '5',
};

describe('readCompactionConfig', () => {
  it('reads the settings the stack sets, with defaults for the rest', () => {
    expect(readCompactionConfig(ENV).settings).toEqual({
      curatedLocation: 's3://lake/curated/',
      overlapHours: 5,
      maxHoursPerRun: 168,
      rawRetentionDays: 150,
      maxEventAgeDays: 30,
      vacuumMaxSnapshotAgeSeconds: 259_200,
    });
  });

  it.each([
    [{ ...ENV, LAKE_BUCKET: undefined }, /LAKE_BUCKET is required/],
    [{ ...ENV, OVERLAP_HOURS: '0' }, /OVERLAP_HOURS must be a whole number from 1 to 72/],
  ])('fails fast on a missing or bad variable', (env, message) => {
    expect(() => readCompactionConfig(env)).toThrow(ConfigError);
    expect(() => readCompactionConfig(env)).toThrow(message);
  });
});
