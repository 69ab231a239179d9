import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../contract';
import { localOperation, PROCESS_TEST_CEILING_MS, readLake } from './helpers';
import { type ServeProcess, startServeProcess, stopProcess } from './serve-process';

const run = promisify(execFile);
const V2_OPTION = ' --cli-binary-format raw-in-base64-out';

/** The hint printed after `label`, as a user would copy it. */
function hint(serve: ServeProcess, label: string): string {
  const line = serve
    .output()
    .split('\n')
    .find((l) => l.trimStart().startsWith(`${label}:`));
  if (line === undefined) throw new Error(`serve printed no ${label} hint:\n${serve.output()}`);
  return line.slice(line.indexOf(':') + 1).trim();
}

// The hints must work on a machine with no AWS configuration at all: an empty HOME, and no AWS_*
// variable in the environment (the CLI and the SDK would otherwise find credentials and a region).
describe("serve's start-up hints, run as printed with no AWS configuration", () => {
  let dataDir: string;
  let home: string;
  let serve: ServeProcess;
  const bare = () => ({ PATH: process.env.PATH, HOME: home });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'serve-hints-e2e-'));
    home = await mkdtemp(join(tmpdir(), 'empty-home-'));
    serve = await startServeProcess(['--data-dir', join(dataDir, 'data'), '--summary-interval', '0']);
  }, PROCESS_TEST_CEILING_MS);
  afterAll(async () => {
    if (serve !== undefined) await stopProcess(serve.child, 'SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  it(
    'the AWS CLI line for the installed version puts the event, and the two lines differ only by the v2 option',
    async () => {
      const { stdout: version, stderr: versionErr } = await run('aws', ['--version'], { env: bare() });
      const v1 = /aws-cli\/1\./.test(version + versionErr);
      const line = hint(serve, v1 ? 'AWS CLI v1' : 'AWS CLI v2');

      const { stdout } = await run('sh', ['-c', line], { env: bare(), timeout: 60_000 });
      await localOperation(serve.url, 'Flush');

      expect(JSON.parse(stdout)).toMatchObject({ RecordId: expect.any(String) });
      expect(hint(serve, 'AWS CLI v2').replace(V2_OPTION, '')).toBe(hint(serve, 'AWS CLI v1'));
      expect(hint(serve, 'AWS CLI v2')).toContain(V2_OPTION);
      const lake = await readLake<StoredEvent>(join(dataDir, 'data', 'lake'), 'events');
      expect(lake.map((e) => e.event_id)).toEqual([expect.stringMatching(/^hello-/)]);
    },
    PROCESS_TEST_CEILING_MS,
  );

  it(
    'the SDK line makes a client that puts a record',
    async () => {
      const script = `
        import { FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';
        const client = ${hint(serve, 'SDK')};
        const answer = await client.send(new PutRecordCommand({
          DeliveryStreamName: 'clickstream-events',
          Record: { Data: Buffer.from('{}') },
        }));
        console.log(answer.RecordId);`;

      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...bare(), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        timeout: 60_000,
      });

      expect(stdout.trim()).toMatch(/^[0-9a-f]{32}$/);
    },
    PROCESS_TEST_CEILING_MS,
  );
});
