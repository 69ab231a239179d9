import type { TestProject } from 'vitest/node';
import { engineContext } from '../../engines/context';
import type { RunningEngine } from '../../engines/engine';
import { selectedEngines } from '../../engines/selection';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URLs of the started engines (absent when `$ENGINES` leaves one out). */
    opensearchUrl: string;
    trinoUrl: string;
    motoUrl: string;
    /** The engine cache (tools such as cfn-lint live in its Python venv). */
    enginesCacheDir: string;
  }
}

/**
 * Starts every selected engine once for the whole suite (concurrently, each on a free loopback
 * port), hands their URLs to the tests, and stops them all when the suite ends, whatever happened.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const context = engineContext();
  const engines = selectedEngines();
  for (const engine of engines) await engine.prepare(context);

  const running: { name: string; engine: RunningEngine }[] = [];
  const stopAll = async () => {
    await Promise.allSettled(running.splice(0).map(({ engine }) => engine.stop()));
  };
  const started = await Promise.allSettled(
    engines.map(async (engine) => {
      const startedAt = Date.now();
      const handle = await engine.start(context);
      running.push({ name: engine.name, engine: handle });
      context.progress(
        `${engine.name} ready at ${handle.url} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
      );
      return handle;
    }),
  );
  const failures = started.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failures.length > 0) {
    await stopAll();
    throw new Error(
      failures.map((failure) => String(failure.reason?.message ?? failure.reason)).join('\n\n'),
    );
  }

  for (const { name, engine } of running) project.provide(`${name}Url` as 'opensearchUrl', engine.url);
  project.provide('enginesCacheDir', context.cacheDir);
  return stopAll;
}
