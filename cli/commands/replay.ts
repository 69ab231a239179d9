import { stat } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { connectOrStart } from '../../local/pipeline/pipeline-connection';
import { type ReplayProgress, type ReplayReport, replayFile } from '../../local/pipeline/replay';
import { UsageError } from '../errors';
import { formatCount } from '../format-count';
import type { RegisterCommand } from './index';
import { type PipelineFlags, pipelineOptionsFrom, withPipelineOptions } from './serve';

interface ReplayFlags extends PipelineFlags {
  endpointUrl?: string;
  format: 'text' | 'json';
}

export const registerReplayCommand: RegisterCommand = (program: Command) => {
  withPipelineOptions(
    program
      .command('replay')
      .description(
        'Send an NDJSON file of events through the tracker SDK to the local endpoint (started in this process ' +
          'when none runs on the default port), wait for delivery, compute the summaries of every window touched, and report.',
      )
      .argument('<file>', 'NDJSON file, one event per line')
      .option('--endpoint-url <url>', 'send to this running endpoint (clickstream serve) instead')
      .addOption(new Option('--format <format>', 'report format').choices(['text', 'json']).default('text')),
  ).action(async (file: string, flags: ReplayFlags) => {
    const isFile = await stat(file).then(
      (found) => found.isFile(),
      () => false,
    );
    if (!isFile) throw new UsageError(`cannot read ${file}: not a file`);
    const connection = await connectOrStart({
      ...pipelineOptionsFrom(flags),
      endpointUrl: flags.endpointUrl,
    });
    console.error(
      connection.inProcess
        ? `replaying ${file} through a pipeline started here on ${flags.dataDir}/`
        : `replaying ${file} to the endpoint at ${connection.endpointUrl}`,
    );
    if (!connection.inProcess && flags.opensearchUrl !== undefined) {
      console.error(
        'warning: --opensearch-url is ignored: the running endpoint indexes where it was started to',
      );
    }
    try {
      const report = await replayFile({ file, connection, onProgress: progressPrinter() });
      endProgress();
      process.stdout.write(
        flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReplayReport(report),
      );
    } finally {
      await connection.close();
    }
  });
};

/** Progress on stderr: one updating line on a terminal, a line per step otherwise. */
export function progressPrinter(): (progress: ReplayProgress) => void {
  const tty = process.stderr.isTTY === true;
  let lastLine = '';
  return (progress) => {
    const text =
      progress.phase === 'sending'
        ? `sent ${formatCount(progress.lines)} lines (${percentOf(progress.bytesRead, progress.totalBytes)}%)`
        : progress.pending > 0
          ? `delivering: ${formatCount(progress.pending)} records to the lake and the index`
          : 'delivered; computing the summaries of the windows touched';
    if (text === lastLine) return;
    lastLine = text;
    if (tty) process.stderr.write(`\r\x1b[2K${text}`);
    else console.error(text);
  };
}

/** Ends a terminal progress line before the report is printed. */
export function endProgress(): void {
  if (process.stderr.isTTY === true) process.stderr.write('\n');
}

function percentOf(part: number, whole: number): number {
  return whole === 0 ? 100 : Math.floor((part / whole) * 100);
}

/**
 * The replay's short report: what happened to every line of the file, then what the pipeline did,
 * labelled as the replay's own only when no other records went through the endpoint meanwhile.
 */
export function formatReplayReport(report: ReplayReport): string {
  const { pipeline } = report;
  const rate = report.elapsedMs > 0 ? Math.round(report.lines / (report.elapsedMs / 1000)) : 0;
  const own = report.otherRecords === 0;
  const lines = [
    `Replayed ${formatCount(report.lines)} lines in ${(report.elapsedMs / 1000).toFixed(1)} s (${formatCount(rate)} lines/s)`,
    row('events sent', report.sent),
    row('acknowledged by the endpoint', report.acknowledged),
    row('not sent', sum(report.refused)),
    ...reasons('refused by the tracker, never sent', report.refused),
    row('sent, not acknowledged', sum(report.undelivered)),
    ...reasons('not delivered by the tracker', report.undelivered),
    own
      ? 'What the pipeline did with them (no other records went through it meanwhile):'
      : `The endpoint meanwhile, all clients together (${formatCount(report.otherRecords)} records were not this replay's: ` +
        'other clients sent them, or they were waiting when it began):',
    row('accepted', pipeline.accepted),
    row('delivered to the lake', pipeline.delivered),
    row('duplicates dropped', pipeline.dropped + pipeline.duplicates),
    `      ${formatCount(pipeline.dropped)} repeated in one batch (Dropped by the transform), ${formatCount(pipeline.duplicates)} already in the event index (kept in the lake, counted once)`,
    row('failed', pipeline.failed),
    ...reasons(
      'refused by the transform or the event index (lake errors/processing-failed/, errors/AmazonOpenSearchService-failed/)',
      pipeline.failedByReason,
    ),
    ...reasons(
      'of which refused by the event index (errors/AmazonOpenSearchService-failed/)',
      pipeline.deadLettered,
    ),
    row('windows updated', report.summaries.windowsWritten),
    `      15-minute windows of ${formatCount(report.summaries.advertisers)} advertisers`,
  ];
  if (pipeline.pending > 0)
    lines.push(`  ${formatCount(pipeline.pending)} records still waiting for delivery (see stderr)`);
  return `${lines.join('\n')}\n`;

  function row(label: string, value: number): string {
    return `  ${label.padEnd(30)}${formatCount(value).padStart(10)}`;
  }
}

function reasons(title: string, counts: Record<string, number>): string[] {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return [];
  return [`      ${title}: ${entries.map(([reason, count]) => `${reason} ${count}`).join(', ')}`];
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
