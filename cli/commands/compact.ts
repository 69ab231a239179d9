import { type Command, Option } from 'commander';
import {
  type CompactionProgress,
  type CompactionReport,
  compactLake,
  DEFAULT_MEMORY_LIMIT,
  DEFAULT_OVERLAP_HOURS,
} from '../../local/curated/compaction';
import { dataDirLayout, lockDataDir } from '../../local/pipeline/data-dir';
import { formatCount } from '../format-count';
import { dataDirOption } from '../options';
import type { RegisterCommand } from './index';
import { number } from './serve';

interface CompactFlags {
  dataDir: string;
  overlapHours: string;
  memoryLimit: string;
  format: 'text' | 'json';
}

export const registerCompactCommand: RegisterCommand = (program: Command) => {
  program
    .command('compact')
    .description(
      'Merge the raw arrivals new since the last run into the curated lake (Parquet by event day, one row per ' +
        'event), record the new watermark, and report. `serve` runs it on a schedule; replay and demo at their end.',
    )
    .addOption(dataDirOption('lake'))
    .option(
      '--overlap-hours <hours>',
      'how many arrival hours before the last watermark to read again, for objects written late into them',
      String(DEFAULT_OVERLAP_HOURS),
    )
    .option(
      '--memory-limit <size>',
      "DuckDB's memory cap; beyond it the run spills to disk",
      DEFAULT_MEMORY_LIMIT,
    )
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json']).default('text'))
    .action(async (flags: CompactFlags) => {
      const overlapHours = number('--overlap-hours', flags.overlapHours, 0, 24 * 14);
      // The running pipeline compacts on its own schedule; two runs must not write the same days.
      const release = await lockDataDir(flags.dataDir);
      try {
        const report = await compactLake({
          lakeDir: dataDirLayout(flags.dataDir).lake,
          overlapHours,
          memoryLimit: flags.memoryLimit,
          onProgress: compactionProgressPrinter(),
        });
        if (process.stderr.isTTY === true) process.stderr.write('\n');
        process.stdout.write(
          flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatCompactionReport(report),
        );
        if (report.unreadable.length > 0) process.exitCode = 1;
      } finally {
        await release();
      }
    });
};

/**
 * One compaction run of a data dir's lake from a command that already holds the data dir (serve,
 * replay, demo): a one-line summary on success, the reason on failure. It never throws: the lake's
 * raw arrivals stay queryable through events_exact whether or not the run succeeds.
 */
export async function compactAfterDelivery(dataDir: string, log: (line: string) => void): Promise<void> {
  try {
    const report = await compactLake({ lakeDir: dataDirLayout(dataDir).lake });
    log(compactionLine(report));
    for (const bad of report.unreadable) log(`  unreadable: ${bad.key}: ${bad.error}`);
  } catch (error) {
    log(`compaction failed (the next run starts over from the last watermark): ${(error as Error).message}`);
  }
}

/**
 * After a replay or demo: one compaction run, unless a running pipeline holds the data dir (it
 * compacts on its own schedule; events_exact reads the new arrivals raw meanwhile).
 */
export async function compactUnlessServed(dataDir: string, log: (line: string) => void): Promise<void> {
  let release: () => Promise<void>;
  try {
    release = await lockDataDir(dataDir);
  } catch (error) {
    log(`not compacting here: ${(error as Error).message.split(';')[0]}; it compacts on its schedule`);
    return;
  }
  try {
    await compactAfterDelivery(dataDir, log);
  } finally {
    await release();
  }
}

/** `compacted 3 raw objects: 1,200 rows merged into 2 event days, 12 duplicates dropped; watermark 2026-11-13 11:00 UTC` */
export function compactionLine(report: CompactionReport): string {
  return (
    `compacted ${formatCount(report.filesRead)} raw object(s): ${formatCount(report.rowsMerged)} row(s) merged into ` +
    `${formatCount(report.filesWritten)} event day(s), ${formatCount(report.duplicatesDropped)} duplicate(s) dropped; ` +
    `watermark ${watermarkText(report.watermark)}`
  );
}

export function formatCompactionReport(report: CompactionReport): string {
  const lines = [
    `watermark:          ${watermarkText(report.previousWatermark)} -> ${watermarkText(report.watermark)}`,
    `raw objects read:   ${formatCount(report.filesRead)} new, ${formatCount(report.filesReread)} again (overlap)`,
    `rows read:          ${formatCount(report.rowsRead)} (from the new objects)`,
    `rows merged:        ${formatCount(report.rowsMerged)}`,
    `duplicates dropped: ${formatCount(report.duplicatesDropped)}`,
    `day files written:  ${formatCount(report.filesWritten)}${report.eventDates.length === 0 ? '' : ` (${dayRange(report.eventDates)})`}`,
    `elapsed:            ${(report.elapsedMs / 1000).toFixed(1)} s`,
  ];
  for (const bad of report.unreadable) {
    lines.push(
      `unreadable:         ${bad.key}: ${bad.error} (the watermark stays at its hour until it is fixed)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function watermarkText(w: { dt: string; hour: string }): string {
  return w.dt === '1970-01-01' && w.hour === '00' ? 'none' : `${w.dt} ${w.hour}:00 UTC`;
}

function dayRange(days: readonly string[]): string {
  return days.length === 1 ? days[0]! : `${days[0]} .. ${days.at(-1)}`;
}

/** Progress on stderr: one updating line on a terminal, a line per step otherwise. */
function compactionProgressPrinter(): (progress: CompactionProgress) => void {
  const tty = process.stderr.isTTY === true;
  return (progress) => {
    const text =
      progress.phase === 'reading'
        ? `reading ${formatCount(progress.files)} raw object(s)`
        : `merging event day ${progress.eventDate} (${progress.day}/${progress.days})`;
    if (tty) process.stderr.write(`\r\x1b[2K${text}`);
    else console.error(text);
  };
}
