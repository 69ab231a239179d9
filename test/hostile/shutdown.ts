import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../engines/process';
import { dataDirLayout } from '../../local/pipeline/data-dir';
import type { PhaseReport, Report } from './checks';
import { checkDelivery, checkFlush } from './delivery-check';
import { Ledger } from './ledger';
import { Load } from './load';
import type { HostileOptions } from './options';
import { ServeRunner, sleep } from './serve-runner';

/** How long a first signal may take to stop serve while delivery fails: a bound, whatever the drain does. */
const FIRST_SIGNAL_LIMIT_MS = 60_000;
/** A second signal means now. */
const SECOND_SIGNAL_LIMIT_MS = 10_000;
const FAILING_WAIT_MS = 30_000;

/**
 * Delivery made to fail (the lake's events/ folder is a file, so no object can be written), records
 * acknowledged into the spool, then SIGTERM: serve must stop within a bound and say what is left in
 * the spool. Again with a second signal a second later: it must stop at once. Then the lake is
 * repaired and a restart delivers every acknowledged record.
 */
export async function shutdownWhileFailing(
  report: Report,
  _options: HostileOptions,
  root: string,
): Promise<void> {
  const phase = report.phase('shutdown', 'SIGTERM while delivery is failing, then a second signal');
  const dataDir = join(root, 'shutdown');
  const blocker = join(dataDirLayout(dataDir).lake, 'events');
  await mkdir(dataDirLayout(dataDir).lake, { recursive: true });
  await writeFile(blocker, 'a file where the events/ folder should be: every lake write fails');
  const serve = new ServeRunner({
    dataDir,
    port: await freePort(),
    args: ['--buffer-interval', '1'],
    logPrefix: `${dataDir}-serve`,
  });
  const ledger = new Ledger('d');

  await serve.start();
  await acknowledgeSome(serve, ledger, 0);
  if (await deliveryFailing(phase, serve)) {
    const started = Date.now();
    serve.signal('SIGTERM');
    const exit = await serve.exited(FIRST_SIGNAL_LIMIT_MS);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    phase.check(
      'the first SIGTERM stops serve within a bound while delivery fails',
      exit !== 'timeout',
      exit === 'timeout'
        ? `still running after ${FIRST_SIGNAL_LIMIT_MS / 1000} s`
        : `exit ${exit} after ${seconds} s`,
    );
    const afterSignal = serve
      .output()
      .split(/SIGTERM/)
      .slice(1)
      .join('SIGTERM');
    const said = afterSignal.split('\n').find((line) => /spool/i.test(line) && /\d/.test(line));
    phase.check(
      'on stopping, serve says what is left in the spool',
      said !== undefined,
      said === undefined
        ? 'no line about the spool after the signal'
        : JSON.stringify(said.trim().slice(0, 160)),
    );
    if (exit === 'timeout') await serve.kill();
  }

  await serve.start();
  await acknowledgeSome(serve, ledger, 1);
  if (await deliveryFailing(phase, serve)) {
    serve.signal('SIGTERM');
    await sleep(1_000);
    const started = Date.now();
    serve.signal('SIGINT');
    const exit = await serve.exited(SECOND_SIGNAL_LIMIT_MS);
    phase.check(
      'a second signal stops serve at once',
      exit !== 'timeout',
      exit === 'timeout'
        ? `still running ${SECOND_SIGNAL_LIMIT_MS / 1000} s after SIGTERM then SIGINT`
        : `exit ${exit} ${((Date.now() - started) / 1000).toFixed(1)} s after the second signal`,
    );
    if (exit === 'timeout') await serve.kill();
  }

  await rm(blocker);
  await serve.start();
  await checkFlush(
    phase,
    serve,
    'once the lake is writable, a restart delivers what was left',
    FIRST_SIGNAL_LIMIT_MS,
  );
  const exit = await serve.stop('SIGTERM', FIRST_SIGNAL_LIMIT_MS);
  if (exit === 'timeout') await serve.kill();
  await checkDelivery(phase, dataDir, ledger);
}

/** A second of load from two clients: records acknowledged into the spool. */
async function acknowledgeSome(serve: ServeRunner, ledger: Ledger, round: number): Promise<void> {
  const load = new Load({ endpoint: serve.url, clients: 2, batch: 50, ledger, firstSender: round * 2 });
  await sleep(1_000);
  await load.stop(10_000);
}

/** Waits until serve reports a failed delivery (the precondition of the signal checks). */
async function deliveryFailing(phase: PhaseReport, serve: ServeRunner): Promise<boolean> {
  const deadline = Date.now() + FAILING_WAIT_MS;
  while (Date.now() < deadline) {
    if (/deliver\w* failed/i.test(serve.output())) return true;
    await sleep(200);
  }
  phase.check(
    'delivery fails while the lake cannot be written (set-up)',
    false,
    `serve reported no failed delivery in ${FAILING_WAIT_MS / 1000} s`,
  );
  return false;
}
