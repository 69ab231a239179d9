import { afterEach, describe, expect, it, vi } from 'vitest';
import { findPrerequisites, MissingPrerequisiteError } from '../../engines/context';
import { ENGINES } from '../../engines/registry';
import { selectedEngines } from '../../engines/selection';

// The engine suite's runner itself, offline: which engines it starts, and what it refuses.
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('selectedEngines', () => {
  it.each([undefined, '', ' '])('starts every engine when ENGINES is %j', (selection) => {
    expect(selectedEngines(selection).map((engine) => engine.name)).toEqual(ENGINES.map((e) => e.name));
  });

  it('starts only the engines named, in registry order', () => {
    expect(selectedEngines('trino, opensearch').map((engine) => engine.name)).toEqual([
      'opensearch',
      'trino',
    ]);
  });

  it('refuses an unknown engine name, listing the known ones', () => {
    expect(() => selectedEngines('opensearch,elastic')).toThrow(
      /unknown engines: elastic \(known: opensearch, moto, trino\)/,
    );
  });
});

describe('findPrerequisites', () => {
  it('names a missing JDK and how to provide it', () => {
    vi.stubEnv('JAVA25_HOME', '/nonexistent/jdk-25');

    expect(() => findPrerequisites()).toThrow(MissingPrerequisiteError);
    expect(() => findPrerequisites()).toThrow(/Java 25 \(Trino\).*set JAVA25_HOME/);
  });

  it('names every missing tool at once', () => {
    vi.stubEnv('JAVA17_HOME', '/nonexistent/jdk-17');
    vi.stubEnv('JAVA25_HOME', '/nonexistent/jdk-25');
    vi.stubEnv('PATH', '/nonexistent');

    expect(() => findPrerequisites()).toThrow(/Java 17[\s\S]*Java 25[\s\S]*Maven[\s\S]*Python 3/);
  });
});
