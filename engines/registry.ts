import type { Engine } from './engine';

/** Every engine the suite starts, in start order (they start concurrently). */
export const ENGINES: readonly Engine[] = [];
