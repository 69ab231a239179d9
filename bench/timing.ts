// Timing helpers shared by the bench suites: warm-up runs, then medians of measured runs.

/** The middle value (the upper one of an even count); NaN for no values. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * A full garbage collection before a measured run, so that one run's garbage is not collected in
 * the next. Not a bare `gc()`: V8 treats that as a forced collection that also flushes compiled
 * code, so every run would start cold, in the interpreter (measured: JavaScript-heavy steps such as
 * the transform's time normalisation took 4x as long after one). A deployed process never sees one.
 */
export function collectGarbage(): void {
  globalThis.gc?.({ type: 'major', execution: 'sync' });
}

export interface RunCounts {
  /** Runs first, not measured: they let V8 optimise the code and fill caches. */
  readonly warmup: number;
  readonly measured: number;
}

/**
 * Medians over the measured runs of wall time and of the CPU time the process used. On a shared
 * machine CPU time is the steadier of the two: waiting for a core does not count. Each run starts
 * after collectGarbage when node runs with --expose-gc (`npm run bench` does); `untimed` runs after
 * each run, outside the measurement.
 */
export async function timeRuns(
  counts: RunCounts,
  run: () => unknown,
  untimed?: () => unknown,
): Promise<{ wallSeconds: number; cpuSeconds: number }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < counts.warmup + counts.measured; i++) {
    collectGarbage();
    const start = process.hrtime.bigint();
    const startCpu = process.cpuUsage();
    await run();
    const usedCpu = process.cpuUsage(startCpu);
    if (i >= counts.warmup) {
      wall.push(Number(process.hrtime.bigint() - start) / 1e9);
      cpu.push((usedCpu.user + usedCpu.system) / 1e6);
    }
    await untimed?.();
  }
  return { wallSeconds: median(wall), cpuSeconds: median(cpu) };
}

/** The process's peak resident memory so far, in MiB, formatted. */
export function peakRssMiB(): string {
  return Math.round(process.resourceUsage().maxRSS / 1024).toLocaleString('en-US');
}
