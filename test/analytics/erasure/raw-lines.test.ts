import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withoutSubjectLines } from '../../../analytics/erasure/raw-lines';

const subject = { column: 'user_id' as const, value: 'u-1' };

describe('withoutSubjectLines', () => {
  it('for any object: removes exactly the subject lines, keeps every other line byte for byte and in order', () => {
    const line = fc.oneof(
      fc
        .record({ event_id: fc.string(), user_id: fc.constantFrom('u-1', 'u-2', 'U-1', 'u-1 ') })
        .map((e) => JSON.stringify(e)),
      fc.record({ event_id: fc.string(), anonymous_id: fc.constant('u-1') }).map((e) => JSON.stringify(e)),
      fc.string().filter((s) => !s.includes('\n')),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.boolean(), (lines, gzipped) => {
        const text = lines.map((l) => `${l}\n`).join('');
        const content = gzipped ? gzipSync(text) : Buffer.from(text);

        const result = withoutSubjectLines(content, subject);

        const isSubject = (l: string) => {
          try {
            return (JSON.parse(l) as { user_id?: unknown }).user_id === 'u-1';
          } catch {
            return false;
          }
        };
        const kept = lines.filter((l) => !isSubject(l));
        const out = (gzipped ? gunzipSync(result.body) : result.body).toString('utf8');
        expect(out).toBe(kept.map((l) => `${l}\n`).join(''));
        expect(result.linesRemoved).toBe(lines.length - kept.length);
      }),
    );
  });

  it('keeps the compression of the object', () => {
    const gz = withoutSubjectLines(gzipSync('{"user_id":"u-1"}\n{"user_id":"u-2"}\n'), subject);
    expect([...gz.body.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(gz).toMatchObject({ linesRemoved: 1, linesKept: 1 });
  });
});
