import type { Engine } from './engine';
import { openSearchEngine } from './opensearch/engine';
import { motoEngine } from './python/moto-engine';
import { trinoEngine } from './trino/engine';

/** Every engine the suite starts, in start order (they start concurrently). */
export const ENGINES: readonly Engine[] = [openSearchEngine, motoEngine, trinoEngine];
