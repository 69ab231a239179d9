#!/usr/bin/env node
// The `clickstream` command. The project is TypeScript run by tsx (no build step), so a fresh
// clone works right after `npm ci`.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every run under Node 20 that its 2027 releases will need Node 22; the README
// says so once instead. A user who sets the variable keeps their own choice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('./main.ts');
