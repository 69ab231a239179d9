import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineContext } from '../engine';
import { runCommand } from '../process';

/** The venv every Python tool of the suite runs from (moto's server, cfn-lint). */
export function pythonVenvDir(cacheDir: string): string {
  return join(cacheDir, 'python', 'venv');
}

/** An executable of the venv: `python`, or a console script such as `cfn-lint`. */
export function pythonVenvTool(cacheDir: string, tool: string): string {
  return join(pythonVenvDir(cacheDir), 'bin', tool);
}

function requirementsFile(root: string): string {
  return join(root, 'engines', 'python', 'requirements.txt');
}

// Inside the venv, so deleting the venv also forgets that it was complete.
function stampFile(cacheDir: string): string {
  return join(pythonVenvDir(cacheDir), '.requirements.sha256');
}

/** What the venv was built from: the requirements and the interpreter that made it. */
function buildKey(context: EngineContext): string {
  return createHash('sha256')
    .update(readFileSync(requirementsFile(context.root)))
    .update(`\0${context.python}`)
    .digest('hex');
}

function upToDate(context: EngineContext, key: string): boolean {
  const stamp = stampFile(context.cacheDir);
  // existsSync follows the symlink, so a venv whose base interpreter was removed is rebuilt too.
  return (
    existsSync(pythonVenvTool(context.cacheDir, 'python')) &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8').trim() === key
  );
}

/**
 * Creates `<cache>/python/venv` with the pinned requirements, unless it already holds exactly
 * them. The stamp is written last, so an interrupted install is redone on the next run. pip's
 * download cache stays in the engine cache too.
 */
export async function preparePythonVenv(context: EngineContext): Promise<void> {
  const key = buildKey(context);
  if (upToDate(context, key)) return;

  const venv = pythonVenvDir(context.cacheDir);
  const logFile = join(context.logDir, 'python-venv.log');
  const startedAt = Date.now();
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(context.logDir, { recursive: true });
  writeFileSync(logFile, '');
  context.progress(`python: creating ${venv} (requirements changed or first run)`);
  await runCommand(context.python, ['-m', 'venv', venv], { logFile });
  context.progress('python: installing moto[server] and cfn-lint with pinned dependencies (about 50 MB)');
  await runCommand(
    pythonVenvTool(context.cacheDir, 'python'),
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirementsFile(context.root)],
    {
      logFile,
      env: {
        ...process.env,
        PIP_CACHE_DIR: join(context.cacheDir, 'python', 'pip-cache'),
        PIP_NO_INPUT: '1',
      },
    },
  );
  writeFileSync(stampFile(context.cacheDir), `${key}\n`);
  context.progress(
    `python: venv ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (log: ${logFile})`,
  );
}
