import { describe, expect, it } from 'vitest';
import { ConfigError, resolveStageConfig, type StageOverrides } from '../../lib/config';
import { searchTopology } from '../../lib/search-topology';

/** Every zone / node / manager combination the stage config accepts (and those it refuses). */
function combinations(): { overrides: StageOverrides; accepted: boolean }[] {
  const all: { overrides: StageOverrides; accepted: boolean }[] = [];
  for (const availabilityZones of [1, 2, 3])
    for (const instanceCount of [1, 2, 3, 4, 6, 9])
      for (const dedicatedManagerCount of [0, 3, 5]) {
        const overrides = { opensearch: { availabilityZones, instanceCount, dedicatedManagerCount } };
        let accepted = true;
        try {
          resolveStageConfig('prod', overrides);
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          accepted = false;
        }
        all.push({ overrides, accepted });
      }
  return all;
}

describe('searchTopology', () => {
  it.each<[string, StageOverrides, { zones: number; multiAzWithStandby: boolean; replicas: number }]>([
    ['dev', {}, { zones: 1, multiAzWithStandby: false, replicas: 0 }],
    ['dev', { opensearch: { instanceCount: 2 } }, { zones: 1, multiAzWithStandby: false, replicas: 1 }],
    [
      'dev',
      { opensearch: { instanceCount: 2, availabilityZones: 2 } },
      { zones: 2, multiAzWithStandby: false, replicas: 1 },
    ],
    [
      'dev',
      { opensearch: { instanceCount: 3, availabilityZones: 3 } },
      { zones: 3, multiAzWithStandby: false, replicas: 2 },
    ],
    ['prod', {}, { zones: 3, multiAzWithStandby: true, replicas: 2 }],
  ])('gives the %s stage with %j its zones, standby and replicas', (stage, overrides, topology) => {
    expect(searchTopology(resolveStageConfig(stage, overrides).opensearch)).toEqual(topology);
  });

  it.each(combinations().filter((c) => c.accepted))(
    'keeps one copy per zone, on enough nodes, for the accepted %j',
    ({ overrides }) => {
      const opensearch = resolveStageConfig('prod', overrides).opensearch;

      const { zones, multiAzWithStandby, replicas } = searchTopology(opensearch);

      const copies = 1 + replicas;
      expect(copies % zones).toBe(0);
      if (multiAzWithStandby) expect(copies % 3).toBe(0);
      expect(copies).toBeLessThanOrEqual(opensearch.instanceCount);
    },
  );

  it('is only asked about configurations the stage config accepts: the others name the key', () => {
    const refused = combinations().filter((c) => !c.accepted);

    expect(refused.length).toBeGreaterThan(0);
    for (const { overrides } of refused) {
      expect(() => resolveStageConfig('prod', overrides)).toThrow(/opensearch\.instanceCount must be/);
    }
  });
});
