import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Segment, Spool } from '../../../local/pipeline/spool';

type Step = { op: 'append'; records: string[] } | { op: 'seal' } | { op: 'release' } | { op: 'restart' };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('append' as const),
      records: fc.array(fc.string(), { minLength: 1, maxLength: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ op: 'seal' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'release' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
);

describe('Spool, any sequence of appends, seals, releases and restarts', () => {
  it('gives back, in order, every appended record that was not released, and keeps no other segment file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        const dir = await mkdtemp(join(tmpdir(), 'spool-property-'));
        try {
          let { spool, recovered: pending } = await Spool.open(dir);
          const appended: string[] = [];
          const released = new Set<string>();
          let sequence = 0;
          for (const s of steps) {
            if (s.op === 'append') {
              const records = s.records.map((text) => ({
                id: `r${sequence++}`,
                arrivedAt: 0,
                data: Buffer.from(text),
              }));
              await spool.append(records);
              appended.push(...records.map((r) => r.id));
            } else if (s.op === 'seal') {
              const sealed = await spool.seal();
              if (sealed !== undefined) pending = [...pending, sealed];
            } else if (s.op === 'release') {
              const [oldest, ...rest] = pending;
              if (oldest === undefined) continue;
              await spool.release(oldest);
              for (const r of oldest.records) released.add(r.id);
              pending = rest;
            } else {
              await spool.close();
              ({ spool, recovered: pending } = await Spool.open(dir));
            }
          }
          await spool.close();
          const files = await readdir(dir);

          const restarted = await Spool.open(dir);
          await restarted.spool.close();
          const recovered = restarted.recovered;

          const ids = (segments: Segment[]) =>
            segments.flatMap((segment) => segment.records.map((r) => r.id));
          expect(ids(recovered)).toEqual(appended.filter((id) => !released.has(id)));
          // No segment file without a record to deliver is left behind.
          expect(files).toHaveLength(recovered.length);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  });
});
