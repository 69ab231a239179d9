import { execFile } from 'node:child_process';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../engines/process';
import { count, type Report } from './checks';
import { checkDelivery, checkFlush } from './delivery-check';
import { Ledger } from './ledger';
import { Load } from './load';
import type { HostileOptions } from './options';
import { ServeRunner, sleep } from './serve-runner';

const run = promisify(execFile);
const DISK_MIB = 64;
const CLIENTS = 4;
const FULL_FOR_MS = 8_000;
const RECOVERY_WINDOW_MS = 20_000;
const FLUSH_LIMIT_MS = 90_000;

/** The tmpfs this run mounted, unmounted whatever happens. */
let mounted: string | undefined;

/** Unmounts the full-disk phase's tmpfs if it is still mounted. */
export async function releaseFullDisk(): Promise<void> {
  if (mounted === undefined) return;
  const point = mounted;
  mounted = undefined;
  // Lazy: a process killed a moment ago may still hold a file open there.
  await run('umount', ['-l', point]).catch((error: unknown) =>
    console.error(`could not unmount ${point}: ${error instanceof Error ? error.message : String(error)}`),
  );
}

/**
 * The data dir (and the serve's TMPDIR) on a small tmpfs, filled up under load: serve must keep
 * running and refuse puts with an AWS error rather than crash or hang, then acknowledge again by
 * itself once space is freed, and lose nothing it acknowledged. Mounting needs root; without it the
 * phase says so and is skipped.
 */
export async function fullDisk(report: Report, _options: HostileOptions, root: string): Promise<void> {
  const phase = report.phase('disk', `a full disk (a ${DISK_MIB} MiB tmpfs filled under load)`);
  const point = join(root, 'disk');
  await mkdir(point, { recursive: true });
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${DISK_MIB}m,mode=0700`, 'tmpfs', point]);
  } catch (error) {
    phase.note(
      `not run: mounting a tmpfs needs root (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); a full disk cannot be simulated safely otherwise`,
    );
    return;
  }
  mounted = point;
  const dataDir = join(point, 'data');
  const serveTmp = join(point, 'tmp');
  await mkdir(serveTmp);
  const serve = new ServeRunner({
    dataDir,
    logPrefix: join(root, 'full-disk-serve'),
    port: await freePort(),
    env: { TMPDIR: serveTmp },
    args: ['--buffer-interval', '1'],
  });
  const ballast = join(point, 'ballast');
  try {
    await serve.start();
    const ledger = new Ledger('f');
    const load = new Load({ endpoint: serve.url, clients: CLIENTS, batch: 100, ledger });
    await sleep(2_000);
    const filled = await fill(ballast);
    phase.figure('disk filled', `${count(Math.round(filled / 2 ** 20))} MiB of ballast until ENOSPC`);
    await sleep(FULL_FOR_MS);
    const whileFull = load.figures();
    phase.check(
      'serve keeps running on a full disk',
      serve.running,
      serve.running ? 'running' : `it exited:\n${serve.output().slice(-600)}`,
    );
    phase.figure('requests failed while full', JSON.stringify(whileFull.errors));
    await rm(ballast);
    const freedAt = load.figures().acked;
    let acknowledgedAgain = false;
    for (const deadline = Date.now() + RECOVERY_WINDOW_MS; Date.now() < deadline && !acknowledgedAgain; ) {
      await sleep(500);
      acknowledgedAgain = load.figures().acked > freedAt;
    }
    phase.check(
      'puts are acknowledged again once space is freed, without a restart',
      acknowledgedAgain,
      acknowledgedAgain ? 'yes' : `no record acknowledged in the ${RECOVERY_WINDOW_MS / 1000} s after`,
    );
    await load.stop(20_000);
    if (!serve.running) await serve.start();
    await checkFlush(
      phase,
      serve,
      'everything acknowledged is delivered once space is back (Flush)',
      FLUSH_LIMIT_MS,
    );
    const exit = await serve.stop('SIGTERM', FLUSH_LIMIT_MS);
    if (exit === 'timeout') await serve.kill();
    await checkDelivery(phase, dataDir, ledger);
  } finally {
    if (serve.running) await serve.kill();
    await releaseFullDisk();
  }
}

/** Writes to `path` until the disk is full; returns the bytes written. */
async function fill(path: string): Promise<number> {
  const file = await open(path, 'w');
  // Small enough that what is left after the first failed write is a few KiB at most.
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    for (;;) {
      const { bytesWritten } = await file.write(chunk);
      written += bytesWritten;
      if (bytesWritten < chunk.length) return written;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return written;
    throw error;
  } finally {
    await file.close();
  }
}
