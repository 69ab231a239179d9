import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../engines/process';
import { dataDirLayout } from '../../local/pipeline/data-dir';
import { DEFAULT_STREAM_NAME } from '../../local/pipeline/local-pipeline';
import { count, type Report } from './checks';
import { checkDelivery, checkFlush } from './delivery-check';
import { Ledger } from './ledger';
import { Load } from './load';
import type { HostileOptions } from './options';
import { ServeRunner, sleep } from './serve-runner';

const CLIENTS = 4;
/** How long serve has to serve again after its spool folder disappeared. */
const RECOVERY_WINDOW_MS = 15_000;
const FLUSH_LIMIT_MS = 60_000;

/**
 * The spool folder is deleted under load (an operator cleaning up, a deleted data dir): opening
 * the next segment fails. The endpoint must recover by itself (retry the open) and go on
 * acknowledging, and every record it acknowledged must be delivered.
 */
export async function spoolFolderDeleted(
  report: Report,
  _options: HostileOptions,
  root: string,
): Promise<void> {
  const phase = report.phase(
    'spool',
    'the spool folder deleted under load (opening the next spool file fails)',
  );
  const dataDir = join(root, 'spool-loss');
  const serve = new ServeRunner({
    dataDir,
    port: await freePort(),
    args: ['--buffer-interval', '1'],
    logPrefix: `${dataDir}-serve`,
  });
  const ledger = new Ledger('s');
  await serve.start();
  const load = new Load({ endpoint: serve.url, clients: CLIENTS, batch: 50, ledger });
  await sleep(3_000);
  await rm(dataDirLayout(dataDir).spool(DEFAULT_STREAM_NAME), { recursive: true, force: true });
  await sleep(RECOVERY_WINDOW_MS - 3_000);
  const before = load.figures().acked;
  await sleep(3_000);
  const after = load.figures().acked;
  phase.check(
    'puts are acknowledged again without a restart',
    after > before,
    `${count(after - before)} records acknowledged ${(RECOVERY_WINDOW_MS - 3_000) / 1000}-${RECOVERY_WINDOW_MS / 1000} s after the deletion`,
  );
  const figures = await load.stop(20_000);
  phase.figure('clients', `failed requests: ${JSON.stringify(figures.errors)}`);
  await checkFlush(phase, serve, 'everything acknowledged is delivered (Flush)', FLUSH_LIMIT_MS);
  const exit = await serve.stop('SIGTERM', FLUSH_LIMIT_MS);
  if (exit === 'timeout') await serve.kill();
  await checkDelivery(phase, dataDir, ledger);
}
