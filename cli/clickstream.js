#!/usr/bin/env node
// The `clickstream` command. The project is TypeScript run by tsx (no build step), so a fresh
// clone works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
