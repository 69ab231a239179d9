// Regenerates event.generated.ts from event.schema.json (`npm run contract:types`).
// test/contract/generated-types.test.ts fails when the two drift apart.
import { writeFileSync } from 'node:fs';
import { renderEventTypes } from './render-types';

const target = new URL('./event.generated.ts', import.meta.url);
writeFileSync(target, await renderEventTypes());
console.log(`wrote ${target.pathname}`);
