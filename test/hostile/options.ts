import { parseArgs } from 'node:util';

export const PHASES = ['load', 'spool', 'disk', 'shutdown', 'inputs'] as const;
export type Phase = (typeof PHASES)[number];

export interface HostileOptions {
  clients: number;
  batch: number;
  loadSeconds: number;
  kills: number;
  killInterval: number;
  phases: Phase[];
  keep: boolean;
}

export const USAGE = `npm run hostile -- [options]

A hostile test of \`clickstream serve\` on loopback: load, SIGKILLs, corrupt files, a full disk,
shutdown while delivery fails, and a catalogue of bad input. Exits 1 if an invariant fails.

  --clients <n>         concurrent Firehose clients (default 16)
  --batch <n>           records per PutRecordBatch (default 100)
  --load-seconds <s>    length of the measured load (default 20)
  --kills <n>           SIGKILLs of serve under load (default 5)
  --kill-interval <s>   seconds of load before each kill (default 4)
  --phases <list>       comma list of ${PHASES.join(', ')} (default all; 'load' includes the kills)
  --keep                keep the temporary data dirs and print where they are
  --help`;

/** The command line, checked; a bad value is an Error whose message names the option. */
export function parseHostileOptions(argv: readonly string[]): HostileOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      clients: { type: 'string', default: '16' },
      batch: { type: 'string', default: '100' },
      'load-seconds': { type: 'string', default: '20' },
      kills: { type: 'string', default: '5' },
      'kill-interval': { type: 'string', default: '4' },
      phases: { type: 'string', default: PHASES.join(',') },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const phases = values.phases.split(',').map((p) => p.trim());
  const unknown = phases.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length > 0)
    throw new Error(`--phases: unknown ${unknown.join(', ')}; phases are ${PHASES.join(', ')}`);
  return {
    clients: whole('--clients', values.clients, 1, 256),
    batch: whole('--batch', values.batch, 1, 500),
    loadSeconds: whole('--load-seconds', values['load-seconds'], 1, 3_600),
    kills: whole('--kills', values.kills, 0, 1_000),
    killInterval: whole('--kill-interval', values['kill-interval'], 1, 600),
    phases: phases as Phase[],
    keep: values.keep,
  };
}

function whole(option: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${option} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}
