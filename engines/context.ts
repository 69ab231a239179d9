import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineContext } from './engine';

const JVM_DIR = '/usr/lib/jvm';

/** A prerequisite of the engine suite that this machine lacks, with how to install it. */
export class MissingPrerequisiteError extends Error {
  override readonly name = 'MissingPrerequisiteError';
}

export interface Prerequisites {
  readonly java17Home: string;
  readonly java25Home: string;
  readonly python: string;
  readonly maven: string;
}

/** The repository root (this file lives in `<root>/engines`). */
export function repositoryRoot(): string {
  return resolve(fileURLToPath(new URL('..', import.meta.url)));
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** A JDK home of the given major: `$<envName>` when set, else the first match in /usr/lib/jvm. */
function jdkHome(major: number, envName: string): string | undefined {
  const fromEnv = process.env[envName];
  if (fromEnv !== undefined && fromEnv !== '')
    return existsSync(join(fromEnv, 'bin/java')) ? fromEnv : undefined;
  if (!existsSync(JVM_DIR)) return undefined;
  const match = readdirSync(JVM_DIR)
    .filter((name) => new RegExp(`(^|[^0-9])${major}([^0-9]|$)`).test(name) && !name.startsWith('.'))
    .map((name) => join(JVM_DIR, name))
    .find((home) => existsSync(join(home, 'bin/java')) && existsSync(join(home, 'bin/javac')));
  return match;
}

/**
 * Finds Java 17 (OpenSearch 2.19), Java 25 (current Trino), Maven and Python, or throws one
 * error naming everything missing and how to get it.
 */
export function findPrerequisites(): Prerequisites {
  const java17Home = jdkHome(17, 'JAVA17_HOME');
  const java25Home = jdkHome(25, 'JAVA25_HOME');
  const maven = onPath('mvn');
  const python = onPath('python3');
  const missing: string[] = [];
  if (java17Home === undefined)
    missing.push(
      'Java 17 (OpenSearch 2.19): `apt-get install openjdk-17-jdk-headless`, or set JAVA17_HOME to a JDK 17',
    );
  if (java25Home === undefined)
    missing.push(
      'Java 25 (Trino): install a JDK 25 (e.g. Temurin 25 into /usr/lib/jvm), or set JAVA25_HOME to it',
    );
  if (maven === undefined)
    missing.push('Maven (builds the OpenSearch and Trino launchers): `apt-get install maven`');
  if (python === undefined)
    missing.push('Python 3 with venv (moto, cfn-lint): `apt-get install python3 python3-venv`');
  if (missing.length > 0) {
    throw new MissingPrerequisiteError(
      `the engine suite needs what this machine lacks:\n${missing.map((m) => `  - ${m}`).join('\n')}`,
    );
  }
  return { java17Home: java17Home!, java25Home: java25Home!, python: python!, maven: maven! };
}

/** The cache folder: `$CLICKSTREAM_ENGINES_CACHE`, else `<root>/.engines` (git-ignored). */
export function engineCacheDir(root = repositoryRoot()): string {
  return resolve(root, process.env.CLICKSTREAM_ENGINES_CACHE ?? '.engines');
}

export function engineContext(root = repositoryRoot()): EngineContext {
  const prerequisites = findPrerequisites();
  const cacheDir = engineCacheDir(root);
  const logDir = join(cacheDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  return {
    root,
    cacheDir,
    logDir,
    java17Home: prerequisites.java17Home,
    java25Home: prerequisites.java25Home,
    python: prerequisites.python,
    mavenRepo: join(cacheDir, 'm2'),
    progress: (message) => process.stderr.write(`[engines] ${message}\n`),
  };
}
