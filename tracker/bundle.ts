// `npm run tracker:build [out-dir]`: the tracker as one ESM file plus type declarations, for Node
// services outside this repository to vendor. @aws-sdk/client-firehose stays an import (the service
// installs it and passes its own client); everything else (contract, ajv, uuid) is inside.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(REPO, 'tracker', 'index.ts');
/** Left for the service to install: the client it configures must be the class the tracker calls. */
export const TRACKER_PEER_DEPENDENCIES = ['@aws-sdk/client-firehose'];

export interface TrackerBundle {
  /** The module to import. */
  module: string;
  /** Its type declarations. */
  types: string;
  /** Packages the module imports (besides Node's built-ins). */
  imports: string[];
}

export async function bundleTracker(outDir: string): Promise<TrackerBundle> {
  await rm(outDir, { recursive: true, force: true });
  const module = join(outDir, 'index.js');
  const result = await build({
    entryPoints: [ENTRY],
    outfile: module,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: TRACKER_PEER_DEPENDENCIES,
    metafile: true,
    logLevel: 'warning',
  });
  const imports = Object.values(result.metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((entry) => entry.external && !entry.path.startsWith('node:'))
    .map((entry) => entry.path);
  const types = join(outDir, 'index.d.ts');
  await emitDeclarations(join(outDir, 'types'));
  const entryTypes = relative(outDir, join(outDir, 'types', 'tracker', 'index.js'))
    .split('\\')
    .join('/');
  await writeFile(types, `export * from './${entryTypes}';\n`);
  return { module, types, imports: [...new Set(imports)] };
}

/**
 * Declarations from the TypeScript compiler, with `.js` added to relative imports so that they
 * resolve under every module resolution (node16 and nodenext require extensions).
 */
async function emitDeclarations(typesDir: string): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'tracker-types-'));
  try {
    const config = join(scratch, 'tsconfig.json');
    await writeFile(
      config,
      JSON.stringify({
        extends: join(REPO, 'tsconfig.json'),
        compilerOptions: {
          noEmit: false,
          declaration: true,
          emitDeclarationOnly: true,
          rootDir: REPO,
          outDir: typesDir,
          // Types are looked up from the config's folder, which is a scratch folder here.
          typeRoots: [join(REPO, 'node_modules', '@types')],
        },
        include: [ENTRY],
      }),
    );
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', config], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`declarations failed:\n${run.stdout}${run.stderr}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  for (const file of await readdir(typesDir, { recursive: true })) {
    if (!file.endsWith('.d.ts')) continue;
    const path = join(typesDir, file);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/(from\s+['"])(\.{1,2}\/[^'"]+?)(['"])/g, '$1$2.js$3'));
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outDir = resolve(process.argv[2] ?? 'dist/tracker');
  const bundle = await bundleTracker(outDir);
  console.log(
    `tracker bundled: ${bundle.module}, types ${bundle.types}; it imports ${bundle.imports.join(', ')}`,
  );
}
