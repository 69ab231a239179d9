import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderEventTypes } from '../../contract/render-types';

it('event.generated.ts is what the schema generates (run `npm run contract:types` after editing the schema)', async () => {
  const committed = readFileSync(new URL('../../contract/event.generated.ts', import.meta.url), 'utf8');
  expect(committed).toBe(await renderEventTypes());
});
