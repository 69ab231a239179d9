import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleTracker, type TrackerBundle } from '../../tracker/bundle';

const REPO = resolve(import.meta.dirname, '../..');

// A service outside the repository: its own package with @aws-sdk/client-firehose installed (the
// repository's node_modules stands in for it) and the bundle vendored as the docs describe.
let service: string;
let bundle: TrackerBundle;

beforeAll(async () => {
  service = await mkdtemp(join(tmpdir(), 'tracker-consumer-'));
  await symlink(join(REPO, 'node_modules'), join(service, 'node_modules'), 'dir');
  await writeFile(join(service, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  bundle = await bundleTracker(join(service, 'vendor', 'clickstream-tracker'));
});

afterAll(async () => {
  await rm(service, { recursive: true, force: true });
});

describe('the vendored tracker bundle', () => {
  it('imports nothing but @aws-sdk/client-firehose and Node built-ins', () => {
    expect(bundle.imports).toEqual(['@aws-sdk/client-firehose']);
  });

  it('runs in plain Node through the documented import path', async () => {
    await writeFile(
      join(service, 'app.mjs'),
      `import { createTracker } from './vendor/clickstream-tracker/index.js';
const client = {
  async send(command) {
    const records = command.input.Records;
    return { $metadata: {}, FailedPutCount: 0, RequestResponses: records.map(() => ({ RecordId: 'r' })) };
  },
};
const tracker = createTracker({ deliveryStreamName: 'clicks', client });
const accepted = tracker.track({ event_type: 'click', advertiser_id: 'adv-1', event_time: Date.now() });
const refused = tracker.track({ event_type: 'click' });
await tracker.close();
console.log(JSON.stringify({ accepted: accepted.ok, refused: refused.reason, stats: tracker.stats() }));
`,
    );

    const run = spawnSync(process.execPath, ['app.mjs'], { cwd: service, encoding: 'utf8' });

    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      accepted: true,
      refused: 'missing_required_field',
      stats: { accepted: 1, delivered: 1, refused: 1 },
    });
  });

  it('type-checks a TypeScript service using nodenext resolution', async () => {
    await mkdir(join(service, 'src'), { recursive: true });
    await writeFile(
      join(service, 'src', 'app.ts'),
      `import { FirehoseClient } from '@aws-sdk/client-firehose';
import { createTracker, type TrackResult } from '../vendor/clickstream-tracker/index.js';

const tracker = createTracker({ deliveryStreamName: 'clicks', client: new FirehoseClient({ region: 'eu-west-1' }) });
const result: TrackResult = tracker.track({ event_type: 'click', advertiser_id: 'adv-1', event_time: Date.now() });
if (!result.ok) console.error(result.reason, result.message);
// @ts-expect-error deliveryStreamName is required: the declarations are real types, not any.
createTracker({});
`,
    );
    await writeFile(
      join(service, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          types: ['node'],
        },
        include: ['src'],
      }),
    );

    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', service], { encoding: 'utf8' });

    expect(run.status, run.stdout + run.stderr).toBe(0);
  });
});
