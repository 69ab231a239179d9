import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineContext } from './engine';
import { runCommand } from './process';

/** An engine's launcher: a Maven project under `engines/<name>/` built into the cache. */
export interface MavenProject {
  /** The engine's name: its folder under `engines/` and under the cache. */
  readonly name: string;
  /** The project files whose content decides when the build is redone (relative to its folder). */
  readonly files: readonly string[];
  /** What the first build downloads, for the progress line. */
  readonly download: string;
  javaHome(context: EngineContext): string;
}

type CachePaths = Pick<EngineContext, 'root' | 'cacheDir'>;

function projectDir(root: string, project: MavenProject): string {
  return join(root, 'engines', project.name);
}

/** `<cache>/<name>/build-<digest of the project files>`: a change to any of them means a new build. */
export function mavenBuildDir(context: CachePaths, project: MavenProject): string {
  const hash = createHash('sha256');
  for (const file of project.files) {
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(projectDir(context.root, project), file)));
  }
  return join(context.cacheDir, project.name, `build-${hash.digest('hex').slice(0, 16)}`);
}

// Written after a successful build, so an interrupted one is redone.
function stampFile(dir: string): string {
  return join(dir, 'complete');
}

/** The project's build folder, or an error saying how to build it. */
export function builtMavenProject(context: CachePaths, project: MavenProject): string {
  const dir = mavenBuildDir(context, project);
  if (!existsSync(stampFile(dir))) {
    throw new Error(`${project.name}: not built; run the engine suite (npm run test:engines) first`);
  }
  return dir;
}

/**
 * Runs `mvn package` with the output folder as `-Dout` and the cache's Maven repository, unless
 * that build is already complete; older builds of the project are removed.
 */
export async function buildMavenProject(context: EngineContext, project: MavenProject): Promise<string> {
  const dir = mavenBuildDir(context, project);
  if (existsSync(stampFile(dir))) return dir;

  const base = join(context.cacheDir, project.name);
  mkdirSync(base, { recursive: true });
  for (const entry of readdirSync(base)) {
    if (entry.startsWith('build-')) rmSync(join(base, entry), { recursive: true, force: true });
  }
  const logFile = join(context.logDir, `${project.name}-build.log`);
  writeFileSync(logFile, '');
  context.progress(
    `${project.name}: building into ${dir} (a first run downloads ${project.download} from Maven Central)`,
  );
  const startedAt = Date.now();
  await runCommand(
    'mvn',
    ['-q', '-B', `-Dmaven.repo.local=${context.mavenRepo}`, `-Dout=${dir}`, 'package'],
    {
      cwd: projectDir(context.root, project),
      env: { ...process.env, JAVA_HOME: project.javaHome(context) },
      logFile,
    },
  );
  writeFileSync(stampFile(dir), `${new Date().toISOString()}\n`);
  context.progress(`${project.name}: built in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  return dir;
}
