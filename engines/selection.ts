import type { Engine } from './engine';
import { ENGINES } from './registry';

/**
 * The engines to prepare and start: all of them, or those named in `$ENGINES` (a comma list, for
 * working on one engine's tests). An unknown name is an error, not an empty suite.
 */
export function selectedEngines(selection = process.env.ENGINES): readonly Engine[] {
  if (selection === undefined || selection.trim() === '') return ENGINES;
  const names = selection
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !ENGINES.some((engine) => engine.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `ENGINES names unknown engines: ${unknown.join(', ')} (known: ${ENGINES.map((e) => e.name).join(', ')})`,
    );
  }
  return ENGINES.filter((engine) => names.includes(engine.name));
}
