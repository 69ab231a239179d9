import { DEFAULT_MAX_EVENT_AGE_DAYS, MAX_EVENT_AGE_DAYS_RANGE } from '../lambdas/transform/config';

/**
 * Per-stage configuration of the CDK app. A stage is chosen with `-c stage=<name>`; its values are
 * the defaults below, optionally overridden key by key with `-c config=<json>` (same shape,
 * partial). Everything is validated before any construct is created, and a bad value fails synth
 * with a message naming the stage and the key, e.g. `stage prod: opensearch.instanceCount must be ...`.
 */
export interface StageConfig {
  /** Stage name; part of every physical name, so two stages can share an account. */
  readonly stage: string;
  /** Destroy stateful resources (buckets, domain, log groups) with the stack. Never in prod. */
  readonly destroyOnRemoval: boolean;
  /** Optional address that receives the alarm notifications (an SNS e-mail subscription). */
  readonly alarmEmail?: string;
  /** Days to keep Lambda, Firehose and OpenSearch log groups. */
  readonly logRetentionDays: number;
  /** How late (minutes after its window ends) an event may still change a summary. */
  readonly latenessHorizonMinutes: number;
  /** Summary schedule period in minutes (the summary workers' cadence). */
  readonly summaryScheduleMinutes: number;
  readonly lake: LakeConfig;
  readonly firehose: FirehoseConfig;
  readonly transform: TransformConfig;
  readonly opensearch: OpenSearchConfig;
  readonly athena: AthenaConfig;
  readonly curatedLake: CuratedLakeConfig;
  readonly alarms: AlarmConfig;
}

export interface LakeConfig {
  /** Events move to S3 Standard-IA after this many days (S3 requires at least 30). */
  readonly eventsInfrequentAccessAfterDays: number;
  /** Events move to S3 Glacier Instant Retrieval after this many days (after the IA move). */
  readonly eventsArchiveAfterDays: number;
  /** Events are deleted after this many days (after the archive move). */
  readonly eventsExpireAfterDays: number;
  /** Failed records stay in S3 Standard (for inspection and replay) and are deleted after this many days. */
  readonly errorsExpireAfterDays: number;
  /** Server access logs are deleted after this many days. */
  readonly accessLogsExpireAfterDays: number;
}

export interface FirehoseConfig {
  /** Destination buffer: Firehose flushes to OpenSearch when this much data (MiB) is buffered. */
  readonly bufferSizeMiB: number;
  /** Destination buffer: ... or when this many seconds have passed. */
  readonly bufferIntervalSeconds: number;
  /** Backup buffer for the lake (S3) in MiB. */
  readonly backupBufferSizeMiB: number;
  /** Backup buffer for the lake (S3) in seconds. */
  readonly backupBufferIntervalSeconds: number;
  /** Processor buffer: input size (MiB) handed to one transform invocation (PROCESSOR_BUFFER_MIB). */
  readonly processorBufferSizeMiB: number;
  /** Processor buffer: seconds Firehose waits to fill a transform batch. */
  readonly processorBufferIntervalSeconds: number;
  /** How long Firehose retries a failed OpenSearch delivery before writing to errors/. */
  readonly retryDurationSeconds: number;
}

export interface TransformConfig {
  readonly memoryMiB: number;
  readonly timeoutSeconds: number;
  /**
   * The transform refuses an event whose event_time is more than this many days before its arrival
   * (`event_too_old`; the record stays in the lake's errors/). Every event day has its own
   * `events-*` index, so this bounds the daily indices alive at once to
   * opensearch.indexRetentionDays + this + 2 (docs/deploy.md). Longer than latenessHorizonMinutes.
   */
  readonly maxEventAgeDays: number;
}

/**
 * The processor buffer sizes the stage config accepts. Firehose takes 0.2 to 3 MB, but a transform
 * invocation carries at most 6 MB each way, and the transform's answer is larger than what it is
 * given (base64, plus what it adds). Measured with the real handler (`npm run bench
 * lambda-payload`), the response to 1 MiB of records is 2.6 MB for typical events and 4.1 MB for
 * the worst ordinary ones (short events whose times, user agent and URL the transform expands);
 * 2 MiB make 5.2 MB and 8.2 MB. test/bench/lambda-payload.test.ts holds the maximum to that. The
 * transform's per-record growth bound (lambdas/transform/growth-bound.ts) is sized for this maximum:
 * it keeps the response to 1 MiB of any records it accepts under 5.24 MB.
 */
export const PROCESSOR_BUFFER_MIB = { min: 0.2, max: 1 } as const;

/** Engine versions the setup supports: flat_object needs 2.7+; Firehose must support the version too. */
export const OPENSEARCH_ENGINE_VERSIONS = ['2.19', '3.1', '3.3'] as const;

export interface OpenSearchConfig {
  /** OpenSearch engine version (one of OPENSEARCH_ENGINE_VERSIONS). */
  readonly engineVersion: (typeof OPENSEARCH_ENGINE_VERSIONS)[number];
  /** Data node instance type, e.g. `r7g.large.search`. */
  readonly instanceType: string;
  readonly instanceCount: number;
  /** EBS gp3 volume per data node, GiB. */
  readonly volumeSizeGiB: number;
  /** Availability zones the data nodes spread over (1 = no zone awareness). */
  readonly availabilityZones: number;
  /** Dedicated cluster manager nodes (0 = none; otherwise 3 or 5). */
  readonly dedicatedManagerCount: number;
  readonly dedicatedManagerInstanceType: string;
  /** Days an `events-*` / `incoming-*` index is kept before the ISM policy deletes it. */
  readonly indexRetentionDays: number;
}

export interface AthenaConfig {
  /** Per-query scan limit; Athena cancels a query that scans more. At least 10 MiB. */
  readonly bytesScannedCutoffPerQuery: number;
  /** Query results are deleted after this many days. */
  readonly resultsExpireAfterDays: number;
}

/** The curated Iceberg table's compaction (lib/curated-lake.ts, docs/curated-lake.md). */
export interface CuratedLakeConfig {
  /** How often the compaction merges the new raw arrivals (minutes, 15 to 1440). */
  readonly scheduleMinutes: number;
  /** How often OPTIMIZE and VACUUM run (hours). */
  readonly maintenanceScheduleHours: number;
  /** Each run re-reads this many arrival hours before the previous watermark, for objects written late into them. */
  readonly overlapHours: number;
  /** A run moves the watermark at most this many hours (a first run, or a catch-up after an outage). */
  readonly maxHoursPerRun: number;
  /** Alarm when no run has moved the watermark for this many hours. */
  readonly stalledAfterHours: number;
  /** The compaction workgroup's per-query scan limit (bytes). */
  readonly bytesScannedCutoffPerQuery: number;
  /** VACUUM expires snapshots older than this: erased rows stay readable by time travel until then. */
  readonly snapshotRetentionHours: number;
}

export interface AlarmConfig {
  /** Alarm when the oldest record in Firehose is older than this (seconds). */
  readonly maxDataFreshnessSeconds: number;
  /** Alarm when the smallest free storage on a data node drops below this (MiB). */
  readonly minFreeStorageMiB: number;
}

/** Overrides as given on the command line: any subset of the keys, one level of nesting. */
export type StageOverrides = {
  [K in keyof StageConfig]?: StageConfig[K] extends object ? Partial<StageConfig[K]> : StageConfig[K];
};

type StageDefaults = Omit<StageConfig, 'stage'>;

const GIB = 1024 ** 3;
const MINUTES_PER_DAY = 1440;

const DEV: StageDefaults = {
  destroyOnRemoval: true,
  logRetentionDays: 14,
  latenessHorizonMinutes: 180,
  summaryScheduleMinutes: 15,
  lake: {
    eventsInfrequentAccessAfterDays: 30,
    eventsArchiveAfterDays: 60,
    eventsExpireAfterDays: 150,
    errorsExpireAfterDays: 180,
    accessLogsExpireAfterDays: 30,
  },
  firehose: {
    bufferSizeMiB: 5,
    bufferIntervalSeconds: 60,
    backupBufferSizeMiB: 5,
    backupBufferIntervalSeconds: 60,
    processorBufferSizeMiB: 1,
    processorBufferIntervalSeconds: 60,
    retryDurationSeconds: 300,
  },
  transform: { memoryMiB: 1024, timeoutSeconds: 60, maxEventAgeDays: DEFAULT_MAX_EVENT_AGE_DAYS },
  opensearch: {
    engineVersion: '2.19',
    instanceType: 'm7g.medium.search',
    instanceCount: 1,
    volumeSizeGiB: 20,
    availabilityZones: 1,
    dedicatedManagerCount: 0,
    dedicatedManagerInstanceType: 'm7g.medium.search',
    indexRetentionDays: 14,
  },
  athena: { bytesScannedCutoffPerQuery: 10 * GIB, resultsExpireAfterDays: 7 },
  curatedLake: {
    scheduleMinutes: 60,
    maintenanceScheduleHours: 24,
    overlapHours: 3,
    maxHoursPerRun: 168,
    stalledAfterHours: 6,
    bytesScannedCutoffPerQuery: 10 * GIB,
    snapshotRetentionHours: 72,
  },
  alarms: { maxDataFreshnessSeconds: 900, minFreeStorageMiB: 4096 },
};

const PROD: StageDefaults = {
  destroyOnRemoval: false,
  logRetentionDays: 90,
  latenessHorizonMinutes: 180,
  summaryScheduleMinutes: 15,
  lake: {
    eventsInfrequentAccessAfterDays: 30,
    eventsArchiveAfterDays: 90,
    eventsExpireAfterDays: 730,
    errorsExpireAfterDays: 1095,
    accessLogsExpireAfterDays: 365,
  },
  firehose: {
    bufferSizeMiB: 5,
    bufferIntervalSeconds: 60,
    backupBufferSizeMiB: 64,
    backupBufferIntervalSeconds: 300,
    processorBufferSizeMiB: 1,
    processorBufferIntervalSeconds: 60,
    retryDurationSeconds: 3600,
  },
  transform: { memoryMiB: 1024, timeoutSeconds: 60, maxEventAgeDays: DEFAULT_MAX_EVENT_AGE_DAYS },
  opensearch: {
    engineVersion: '2.19',
    instanceType: 'r7g.large.search',
    instanceCount: 3,
    volumeSizeGiB: 200,
    availabilityZones: 3,
    dedicatedManagerCount: 3,
    dedicatedManagerInstanceType: 'm7g.large.search',
    indexRetentionDays: 35,
  },
  athena: { bytesScannedCutoffPerQuery: 100 * GIB, resultsExpireAfterDays: 30 },
  curatedLake: {
    scheduleMinutes: 60,
    maintenanceScheduleHours: 24,
    overlapHours: 3,
    maxHoursPerRun: 168,
    stalledAfterHours: 6,
    bytesScannedCutoffPerQuery: 100 * GIB,
    snapshotRetentionHours: 72,
  },
  alarms: { maxDataFreshnessSeconds: 900, minFreeStorageMiB: 20_480 },
};

/** The stages the app knows, with their defaults. */
export const STAGE_DEFAULTS: Readonly<Record<string, StageDefaults>> = { dev: DEV, prod: PROD };

/** A synth-time configuration error; the message names the stage and the key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Resolves and validates a stage's configuration.
 * @param stage the stage name (`dev`, `prod`)
 * @param overrides values replacing the stage's defaults, e.g. from `-c config=<json>`
 */
export function resolveStageConfig(stage: string, overrides: StageOverrides = {}): StageConfig {
  const defaults = STAGE_DEFAULTS[stage];
  if (defaults === undefined) {
    throw new ConfigError(
      `unknown stage '${stage}': expected one of ${Object.keys(STAGE_DEFAULTS).join(', ')}`,
    );
  }
  const unknown = unknownKeys(overrides, defaults);
  if (unknown.length > 0) {
    throw new ConfigError(`stage ${stage}: unknown configuration key(s) ${unknown.join(', ')}`);
  }
  const config: StageConfig = {
    ...defaults,
    ...overrides,
    stage,
    lake: { ...defaults.lake, ...overrides.lake },
    firehose: { ...defaults.firehose, ...overrides.firehose },
    transform: { ...defaults.transform, ...overrides.transform },
    opensearch: { ...defaults.opensearch, ...overrides.opensearch },
    athena: { ...defaults.athena, ...overrides.athena },
    curatedLake: { ...defaults.curatedLake, ...overrides.curatedLake },
    alarms: { ...defaults.alarms, ...overrides.alarms },
  };
  const problems = validate(config);
  if (problems.length > 0) {
    throw new ConfigError(problems.map((problem) => `stage ${stage}: ${problem}`).join('\n'));
  }
  return config;
}

/**
 * Reads the stage and overrides from CDK context values (`-c stage=prod -c config='{"alarmEmail":"..."}'`).
 * @param stage the `stage` context value
 * @param rawOverrides the `config` context value: a JSON string or an object (cdk.json)
 */
export function stageConfigFromContext(stage: unknown, rawOverrides: unknown): StageConfig {
  if (typeof stage !== 'string')
    throw new ConfigError(`context 'stage' must be a string, got ${typeof stage}`);
  if (rawOverrides === undefined) return resolveStageConfig(stage);
  let overrides: unknown = rawOverrides;
  if (typeof rawOverrides === 'string') {
    try {
      overrides = JSON.parse(rawOverrides);
    } catch (error) {
      throw new ConfigError(
        `stage ${stage}: context 'config' is not valid JSON: ${(error as Error).message}`,
      );
    }
  }
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new ConfigError(`stage ${stage}: context 'config' must be a JSON object`);
  }
  return resolveStageConfig(stage, overrides as StageOverrides);
}

/** Override keys the defaults do not have (typos would otherwise be ignored silently). */
function unknownKeys(overrides: object, defaults: StageDefaults): string[] {
  const known: Record<string, unknown> = { ...defaults, alarmEmail: undefined };
  return Object.entries(overrides).flatMap(([key, value]) => {
    if (!(key in known)) return [key];
    const nested = known[key];
    if (typeof nested !== 'object' || nested === null || typeof value !== 'object' || value === null)
      return [];
    return Object.keys(value)
      .filter((inner) => !(inner in nested))
      .map((inner) => `${key}.${inner}`);
  });
}

type Rule = readonly [key: string, value: unknown, check: (value: unknown) => boolean, expectation: string];

const isInt = (min: number, max: number) => (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
const intIn = (min: number, max: number): [(value: unknown) => boolean, string] => [
  isInt(min, max),
  `an integer from ${min} to ${max}`,
];
const isBoolean = (value: unknown) => typeof value === 'boolean';
// The retention periods CloudWatch Logs accepts.
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
// Same shape as OpenSearch instance type names: <family>.<size>.search.
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+\.search$/;
const isInstanceType = (value: unknown) => typeof value === 'string' && INSTANCE_TYPE.test(value);
// Deliberately loose: SNS confirms the address; this only catches typos such as a missing '@'.
const isEmail = (value: unknown) => typeof value === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);

function validate(config: StageConfig): string[] {
  const { lake, firehose, transform, opensearch: search, athena, curatedLake: curated, alarms } = config;
  const rules: Rule[] = [
    ['destroyOnRemoval', config.destroyOnRemoval, isBoolean, 'true or false'],
    [
      'logRetentionDays',
      config.logRetentionDays,
      (value) => LOG_RETENTION_DAYS.includes(value as number),
      `one of ${LOG_RETENTION_DAYS.join(', ')}`,
    ],
    ['latenessHorizonMinutes', config.latenessHorizonMinutes, ...intIn(0, 10_080)],
    ['summaryScheduleMinutes', config.summaryScheduleMinutes, ...intIn(1, 60)],
    ['lake.eventsInfrequentAccessAfterDays', lake.eventsInfrequentAccessAfterDays, ...intIn(30, 3650)],
    [
      'lake.eventsArchiveAfterDays',
      lake.eventsArchiveAfterDays,
      isInt(lake.eventsInfrequentAccessAfterDays + 30, 3650),
      `an integer at least 30 days after lake.eventsInfrequentAccessAfterDays (${lake.eventsInfrequentAccessAfterDays})`,
    ],
    [
      'lake.eventsExpireAfterDays',
      lake.eventsExpireAfterDays,
      // Glacier Instant Retrieval bills a 90-day minimum: expiring earlier pays for days not kept.
      isInt(lake.eventsArchiveAfterDays + 90, 36_500),
      `an integer at least 90 days after lake.eventsArchiveAfterDays (${lake.eventsArchiveAfterDays})`,
    ],
    ['lake.errorsExpireAfterDays', lake.errorsExpireAfterDays, ...intIn(1, 36_500)],
    ['lake.accessLogsExpireAfterDays', lake.accessLogsExpireAfterDays, ...intIn(1, 36_500)],
    // Firehose limits for an OpenSearch destination and its S3 backup / Lambda processor.
    ['firehose.bufferSizeMiB', firehose.bufferSizeMiB, ...intIn(1, 100)],
    ['firehose.bufferIntervalSeconds', firehose.bufferIntervalSeconds, ...intIn(0, 900)],
    ['firehose.backupBufferSizeMiB', firehose.backupBufferSizeMiB, ...intIn(1, 128)],
    ['firehose.backupBufferIntervalSeconds', firehose.backupBufferIntervalSeconds, ...intIn(0, 900)],
    [
      'firehose.processorBufferSizeMiB',
      firehose.processorBufferSizeMiB,
      (value) =>
        typeof value === 'number' && value >= PROCESSOR_BUFFER_MIB.min && value <= PROCESSOR_BUFFER_MIB.max,
      `a number from ${PROCESSOR_BUFFER_MIB.min} to ${PROCESSOR_BUFFER_MIB.max}: a transform invocation carries at most 6 MB each way, and the response to 1 MiB of records measured 2.6 MB for typical events and 4.1 MB for the worst ordinary ones (2 MiB: 5.2 MB and 8.2 MB; \`npm run bench lambda-payload\`)`,
    ],
    ['firehose.processorBufferIntervalSeconds', firehose.processorBufferIntervalSeconds, ...intIn(60, 900)],
    ['firehose.retryDurationSeconds', firehose.retryDurationSeconds, ...intIn(0, 7200)],
    ['transform.memoryMiB', transform.memoryMiB, ...intIn(128, 10_240)],
    // Firehose waits at most 5 minutes for a processor invocation.
    ['transform.timeoutSeconds', transform.timeoutSeconds, ...intIn(1, 300)],
    [
      'transform.maxEventAgeDays',
      transform.maxEventAgeDays,
      // An event the summaries may still count (within the lateness horizon) must not be refused.
      (value) =>
        isInt(MAX_EVENT_AGE_DAYS_RANGE.min, MAX_EVENT_AGE_DAYS_RANGE.max)(value) &&
        (value as number) * MINUTES_PER_DAY > config.latenessHorizonMinutes,
      `an integer from ${MAX_EVENT_AGE_DAYS_RANGE.min} to ${MAX_EVENT_AGE_DAYS_RANGE.max} and longer than latenessHorizonMinutes (${config.latenessHorizonMinutes} minutes)`,
    ],
    [
      'opensearch.engineVersion',
      search.engineVersion,
      (value) => (OPENSEARCH_ENGINE_VERSIONS as readonly unknown[]).includes(value),
      `one of ${OPENSEARCH_ENGINE_VERSIONS.join(', ')}`,
    ],
    [
      'opensearch.instanceType',
      search.instanceType,
      isInstanceType,
      "an instance type like 'r7g.large.search'",
    ],
    [
      'opensearch.availabilityZones',
      search.availabilityZones,
      (value) => value === 1 || value === 2 || value === 3,
      '1, 2 or 3',
    ],
    [
      'opensearch.instanceCount',
      search.instanceCount,
      (value) => isInt(1, 80)(value) && (value as number) % search.availabilityZones === 0,
      // lib/search-topology.ts keeps one copy of each shard per zone: that needs a node per zone,
      // and Multi-AZ with standby also needs the same number of nodes in each of its 3 zones.
      `an integer from 1 to 80 and a multiple of opensearch.availabilityZones (${search.availabilityZones}), so that every zone holds the same number of data nodes and one copy of each shard`,
    ],
    ['opensearch.volumeSizeGiB', search.volumeSizeGiB, ...intIn(10, 16_384)],
    [
      'opensearch.dedicatedManagerCount',
      search.dedicatedManagerCount,
      (value) => value === 0 || value === 3 || value === 5,
      '0, 3 or 5',
    ],
    [
      'opensearch.dedicatedManagerInstanceType',
      search.dedicatedManagerInstanceType,
      isInstanceType,
      "an instance type like 'm7g.large.search'",
    ],
    ['opensearch.indexRetentionDays', search.indexRetentionDays, ...intIn(1, 3650)],
    [
      'athena.bytesScannedCutoffPerQuery',
      athena.bytesScannedCutoffPerQuery,
      (value) => isInt(10 * 1024 * 1024, Number.MAX_SAFE_INTEGER)(value),
      'an integer of at least 10485760 (10 MiB, the Athena minimum)',
    ],
    ['athena.resultsExpireAfterDays', athena.resultsExpireAfterDays, ...intIn(1, 3650)],
    ['curatedLake.scheduleMinutes', curated.scheduleMinutes, ...intIn(15, 1440)],
    ['curatedLake.maintenanceScheduleHours', curated.maintenanceScheduleHours, ...intIn(1, 720)],
    ['curatedLake.overlapHours', curated.overlapHours, ...intIn(1, 72)],
    ['curatedLake.maxHoursPerRun', curated.maxHoursPerRun, ...intIn(1, 24 * 366)],
    [
      'curatedLake.stalledAfterHours',
      curated.stalledAfterHours,
      // A healthy watermark moves every run: the alarm must allow at least two schedule periods.
      isInt(Math.ceil((2 * curated.scheduleMinutes) / 60), 720),
      `an integer from ${Math.ceil((2 * curated.scheduleMinutes) / 60)} (two compaction periods) to 720`,
    ],
    [
      'curatedLake.bytesScannedCutoffPerQuery',
      curated.bytesScannedCutoffPerQuery,
      (value) => isInt(10 * 1024 * 1024, Number.MAX_SAFE_INTEGER)(value),
      'an integer of at least 10485760 (10 MiB, the Athena minimum)',
    ],
    ['curatedLake.snapshotRetentionHours', curated.snapshotRetentionHours, ...intIn(1, 8760)],
    ['alarms.maxDataFreshnessSeconds', alarms.maxDataFreshnessSeconds, ...intIn(60, 86_400)],
    ['alarms.minFreeStorageMiB', alarms.minFreeStorageMiB, ...intIn(1, 16_777_216)],
  ];
  if (config.alarmEmail !== undefined) {
    rules.push(['alarmEmail', config.alarmEmail, isEmail, 'an e-mail address']);
  }
  return rules
    .filter(([, value, check]) => !check(value))
    .map(([key, value, , expectation]) => `${key} must be ${expectation}, got ${JSON.stringify(value)}`);
}
