import { compile } from 'json-schema-to-typescript';
import schema from './event.schema.json' with { type: 'json' };

/** TypeScript declarations for every definition in the event schema. */
export async function renderEventTypes(): Promise<string> {
  // json-schema-to-typescript mutates its input; give it a copy.
  const copy = structuredClone(schema) as Parameters<typeof compile>[0];
  return compile(copy, 'ClickstreamEventV1', {
    bannerComment: '// Generated from contract/event.schema.json by `npm run contract:types`. Do not edit.',
    unreachableDefinitions: true,
    additionalProperties: false,
    strictIndexSignatures: true,
    format: true,
    style: { singleQuote: true, printWidth: 110 },
  });
}
