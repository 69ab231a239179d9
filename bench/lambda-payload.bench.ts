// What one transform invocation carries each way, for processor buffers of 1, 2 and 3 MiB: the
// Firehose transformation event (the request) and the handler's answer (the response), as the JSON
// Lambda carries, against Firehose's limit of 6 MB each way. It bounds firehose.processorBufferSizeMiB
// (lib/config.ts) and test/bench/lambda-payload.test.ts holds the bound to these measurements. Then
// the transform's per-record growth bound (lambdas/transform/growth-bound.ts): the shapes that grow
// without it are refused, and a search over what grows finds the largest response a full buffer of
// records within the bound can make.
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import type { PropertiesDepth1, WireEvent } from '../contract';
import { RESPONSE_BYTES_PER_INPUT_BYTE } from '../lambdas/transform/growth-bound';
import type { BenchSuite } from './suites';
import { random, realisticEvent } from './transform.bench';

/** Firehose's Lambda payload limit, each way ("6 MB"; read as 10^6 bytes, the stricter reading). */
export const LAMBDA_PAYLOAD_LIMIT_BYTES = 6_000_000;
export const MIB = 1024 * 1024;
const ARRIVAL_MS = Date.UTC(2026, 10, 22, 8);
/** Firehose's record ids are 56 digits; the response repeats each one. */
const RECORD_ID_DIGITS = 56;

export type TransformHandler = (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult>;

/** A record shape: the event of the `index`-th record of a batch (each has its own event_id). */
export type EventShape = (index: number) => WireEvent;

export interface PayloadSizes {
  records: number;
  /** The records' data, the bytes Firehose buffers (before base64). */
  dataBytes: number;
  requestBytes: number;
  responseBytes: number;
}

/**
 * Fills a Firehose transformation event with records of `shape` until their data (the bytes
 * Firehose buffers, before base64) reach `bufferBytes`, runs the handler on it and measures both
 * payloads. Every record must come back as `expected`, by default Ok: a refused record would be
 * answered with its own, smaller, data.
 */
export async function measurePayload(
  handler: TransformHandler,
  shape: EventShape,
  bufferBytes: number,
  expected: 'Ok' | 'ProcessingFailed' = 'Ok',
): Promise<PayloadSizes> {
  const records: FirehoseTransformationEvent['records'] = [];
  let dataBytes = 0;
  for (let index = 0; dataBytes < bufferBytes; index++) {
    const record = firehoseRecord(shape, index);
    dataBytes += Buffer.byteLength(record.data, 'base64');
    records.push(record);
  }
  const event = transformationEvent(records);
  const response = await handler(event);
  const unexpected = response.records.filter((r) => r.result !== expected).length;
  if (unexpected > 0)
    throw new Error(`${unexpected} records of the measured batch were not ${expected}: the shape is not one`);
  return {
    records: records.length,
    dataBytes,
    requestBytes: Buffer.byteLength(JSON.stringify(event)),
    responseBytes: Buffer.byteLength(JSON.stringify(response)),
  };
}

/** The `index`-th record of a batch of `shape`, arriving a millisecond after the one before. */
export function firehoseRecord(
  shape: EventShape,
  index: number,
): FirehoseTransformationEvent['records'][number] {
  return {
    recordId: String(index).padStart(RECORD_ID_DIGITS, '4'),
    approximateArrivalTimestamp: ARRIVAL_MS + index,
    data: Buffer.from(`${JSON.stringify(shape(index))}\n`).toString('base64'),
  };
}

function transformationEvent(records: FirehoseTransformationEvent['records']): FirehoseTransformationEvent {
  return {
    invocationId: '00540a87-5050-496a-84e4-e7d92bbaf5e2',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/clickstream-prod',
    region: 'eu-west-1',
    records,
  };
}

/** The transform bench's generated traffic: UUIDs, common user agents, URLs with a query, one property. */
export function realisticShape(): EventShape {
  const next = random(42);
  return (index) => realisticEvent(next, index, ARRIVAL_MS + index);
}

/**
 * The event_id of a batch's `index`-th record: as short as can be, and the same length for every
 * record (three base-36 digits number 46,656 records, more than 1 MiB holds), so that all of a
 * shape's records are as large as one another.
 */
const shortEventId = (index: number) => index.toString(36).padStart(3, '0');

const minimal = (index: number): WireEvent => ({
  event_id: shortEventId(index),
  event_type: 'click',
  advertiser_id: 'a',
  event_time: ARRIVAL_MS - 1000,
});
const withEnrichment = (userAgent: string) => (index: number) => ({
  ...minimal(index),
  sent_at: ARRIVAL_MS - 900,
  user_agent: userAgent,
  url: 'https://a.co/p',
  ip: '1.2.3.4',
});

/**
 * Ordinary records the transform grows: short valid events carrying what it adds to or lengthens
 * (epoch-millisecond times become ISO text, sent_at brings derived_event_time and clock_skew_ms,
 * a user agent brings the ua_* fields, a URL url_host and url_path), with as little else as
 * possible. The bench measures each and takes the one with the highest response / request ratio.
 */
export const ORDINARY_SHAPES: Record<string, EventShape> = {
  'required fields only, event_time in epoch milliseconds': minimal,
  '+ sent_at in epoch milliseconds': (index) => ({ ...minimal(index), sent_at: ARRIVAL_MS - 900 }),
  '+ a desktop Chrome user agent, a short URL and an IPv4 address': withEnrichment(
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0',
  ),
  '+ a mobile Safari user agent, a short URL and an IPv4 address': withEnrichment(
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Mobile Safari/604.1',
  ),
  '+ the shortest user agent giving browser, version and OS, a short URL and an IPv4 address': withEnrichment(
    'Chrome/131 (Windows NT 10.0)',
  ),
};

/**
 * Valid records that grow several times over, which no processor buffer size bounds: a URL path
 * the WHATWG parser percent-encodes into url_path (a space becomes `%20`), and properties nested
 * under long keys, which flattening repeats in front of every value. The growth bound refuses both.
 */
export const AMPLIFYING_SHAPES: Record<string, EventShape> = {
  'a URL path of spaces (url_path repeats it percent-encoded, up to 8,192 characters)': (index) => ({
    ...minimal(index),
    url: `https://a.co/a${' '.repeat(2729)}a`,
  }),
  'properties nested 5 deep under 128-character keys, 100 values (each flattened key is 644 characters)': (
    index,
  ) => ({ ...minimal(index), properties: nestedUnderLongKeys() }),
};

function nestedUnderLongKeys(): PropertiesDepth1 {
  const values = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [String(i), 0]));
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((letter) => letter.repeat(128)) as [
    string,
    string,
    string,
    string,
  ];
  return { [a]: { [b]: { [c]: { [d]: values } } } };
}

/** The ordinary shape with the highest response / request ratio, measured on 256 KiB batches. */
export async function worstOrdinaryShape(
  handler: TransformHandler,
): Promise<{ name: string; shape: EventShape; ratios: Record<string, number> }> {
  const ratios: Record<string, number> = {};
  for (const [name, shape] of Object.entries(ORDINARY_SHAPES)) {
    const sizes = await measurePayload(handler, shape, MIB / 4);
    ratios[name] = sizes.responseBytes / sizes.requestBytes;
  }
  const [name] = Object.entries(ratios).sort((a, b) => b[1] - a[1])[0] as [string, number];
  return { name, shape: ORDINARY_SHAPES[name] as EventShape, ratios };
}

/**
 * What one valid record combines of the ways the transform grows it: each is a field the
 * transform adds to or lengthens, at its most growth per byte sent.
 */
export interface Amplifiers {
  /** A short user agent the parser derives fields from, or none. */
  userAgent: string | undefined;
  /** sent_at in epoch milliseconds: it brings its ISO text and clock_skew_ms. */
  sentAt: boolean;
  /**
   * A URL whose path holds this many spaces (each becomes `%20` in url_path), or no URL. Its host
   * `1` is stored as `0.0.0.1`: the shortest URL the parser lengthens most.
   */
  spaces: number | undefined;
  /** An IPv6 address the anonymisation writes longer (`1::` is stored as `1:0:0::`), or none. */
  ip: boolean;
  /** Objects nested inside properties (0: the values sit in properties itself). */
  nesting: number;
  /** Characters of each nested key; flattening repeats the key path in front of every value. */
  keyLength: number;
  /** Number values at the innermost level (each becomes a string); 0 means no properties. */
  values: number;
  /** Characters of a referrer, which is stored as it is: a larger record that does not grow. */
  referrer: number;
}

/**
 * Short user agents from which the parser derives the most fields per byte (found by trying):
 * browser, version, OS and version, device type.
 */
const ENRICHING_USER_AGENTS = ['Chrome/1 (Android 1)', 'Chrome/1 (Windows NT 10.0)', 'bot'];
const MAX_KEY_LENGTH = 128;
/** Values per properties object (the schema's limit). */
const MAX_VALUES = 100;
/** Nested objects inside properties (5 objects deep, counting properties). */
const MAX_NESTING = 4;
/** Spaces that keep url_path within its 8,192 characters (`/` + 3 per space + `a`). */
const MAX_SPACES = 2730;
const MAX_REFERRER = 8192;

export function amplifiedShape(amplifiers: Amplifiers): EventShape {
  const { userAgent, sentAt, spaces, ip, nesting, keyLength, values, referrer } = amplifiers;
  let nested: Record<string, unknown> = Object.fromEntries(
    Array.from({ length: values }, (_, i) => [i.toString(36), 0]),
  );
  // The keys are a, b, c, d repeated, from the outside in.
  for (let level = nesting; level > 0; level--) {
    nested = { [String.fromCharCode(96 + level).repeat(keyLength)]: nested };
  }
  const properties = nested as PropertiesDepth1;
  return (index) => ({
    ...minimal(index),
    ...(userAgent === undefined ? {} : { user_agent: userAgent }),
    // Sent 900 ms before its arrival (which moves with the index), so clock_skew_ms is the same
    // length in every record.
    ...(sentAt ? { sent_at: ARRIVAL_MS + index - 900 } : {}),
    ...(spaces === undefined ? {} : { url: `ws://1/${' '.repeat(spaces)}a` }),
    ...(ip ? { ip: '1::' } : {}),
    ...(referrer === 0 ? {} : { referrer: 'r'.repeat(referrer) }),
    ...(values === 0 ? {} : { properties }),
  });
}

export function describeAmplifiers(amplifiers: Amplifiers): string {
  const { userAgent, sentAt, spaces, ip, nesting, keyLength, values, referrer } = amplifiers;
  const parts = ['required fields, event_time in epoch milliseconds'];
  if (userAgent !== undefined) parts.push(`user agent "${userAgent}"`);
  if (sentAt) parts.push('sent_at in epoch milliseconds');
  if (spaces !== undefined) parts.push(`a URL whose path holds ${spaces} spaces`);
  if (ip) parts.push('the IPv6 address 1::');
  if (values > 0) {
    parts.push(
      nesting === 0
        ? `${values} number properties`
        : `${values} number properties under ${nesting} nested ${keyLength}-character keys`,
    );
  }
  if (referrer > 0) parts.push(`a ${referrer}-character referrer`);
  return parts.join(', ');
}

/** The response's JSON around its records (`{"records":[]}`). */
const RESPONSE_ENVELOPE_BYTES = 14;

/**
 * For each amplifier set, the response a buffer of `bufferBytes` filled with such records would
 * make, or undefined when the record is not Ok: one record of each, all in one invocation of the
 * handler, each with its own event_id so that none is dropped as a repeat. A response record is
 * its id, its result and its base64 data, and a comma.
 */
async function estimatedResponses(
  handler: TransformHandler,
  candidates: readonly Amplifiers[],
  bufferBytes: number,
): Promise<Array<number | undefined>> {
  const records = candidates.map((amplifiers, i) => firehoseRecord(amplifiedShape(amplifiers), i));
  const results = (await handler(transformationEvent(records))).records;
  return results.map((result, i) => {
    if (result.result !== 'Ok') return undefined;
    // Records per buffer as a fraction: shapes compare per byte buffered, not by how far their
    // last record runs over the buffer.
    const perBuffer = bufferBytes / Buffer.byteLength(records[i]?.data ?? '', 'base64');
    return perBuffer * (Buffer.byteLength(JSON.stringify(result)) + 1) + RESPONSE_ENVELOPE_BYTES;
  });
}

/** Amplifiers but the count of values: the search finds the best count for each. */
type Family = Omit<Amplifiers, 'values'>;

interface Candidate {
  amplifiers: Amplifiers;
  responseBytes: number;
}

/**
 * The best candidate of each family whose record without values is Ok. A value adds the same bytes
 * to the record and to its stored line whatever the count (but one for the key's second digit from
 * the 37th value on), so whether the record stays within the bound changes at most once as the
 * count grows: the largest count that does is found by bisection, all families in step (one
 * invocation per step). The response per buffered byte of a record that adds the same bytes again
 * and again moves one way only, so the best count is that largest count or none. (A family refused
 * without values could be brought within the bound only by values that grow less than the bound
 * allows, which cannot take it past the bound.)
 */
async function bestOfFamilies(
  handler: TransformHandler,
  families: readonly Family[],
  bufferBytes: number,
): Promise<Candidate[]> {
  const none = await estimatedResponses(
    handler,
    families.map((family) => ({ ...family, values: 0 })),
    bufferBytes,
  );
  const searches = families.flatMap((family, i) => {
    const responseBytes = none[i];
    if (responseBytes === undefined) return [];
    return [
      {
        family,
        ok: 0,
        refused: MAX_VALUES + 1,
        best: { amplifiers: { ...family, values: 0 }, responseBytes },
      },
    ];
  });
  for (let open = searches; open.length > 0; open = open.filter((s) => s.refused - s.ok > 1)) {
    const tried = open.map((s) => ({ ...s.family, values: (s.ok + s.refused) >>> 1 }));
    const responses = await estimatedResponses(handler, tried, bufferBytes);
    open.forEach((search, i) => {
      const amplifiers = tried[i] as Amplifiers;
      const responseBytes = responses[i];
      if (responseBytes === undefined) {
        search.refused = amplifiers.values;
        return;
      }
      search.ok = amplifiers.values;
      if (responseBytes > search.best.responseBytes) search.best = { amplifiers, responseBytes };
    });
  }
  return searches.map((s) => s.best);
}

const most = (candidates: readonly Candidate[], start: Candidate): Candidate =>
  candidates.reduce((best, c) => (c.responseBytes > best.responseBytes ? c : best), start);

/**
 * The most a response to `dataBytes` of records within the growth bound can take, whatever their
 * shape: each record's share at most RESPONSE_BYTES_PER_INPUT_BYTE × its bytes, plus the JSON
 * around the records.
 */
export function responseCeiling(dataBytes: number): number {
  return RESPONSE_BYTES_PER_INPUT_BYTE * dataBytes + RESPONSE_ENVELOPE_BYTES;
}

/**
 * The valid record shape whose batch makes the largest response for `bufferBytes` of records
 * with every record Ok, that is within the growth bound. A grid over the amplifiers (each user
 * agent or none, with and without sent_at, URL paths of 0 to 2,730 spaces or no URL, properties
 * flat or nested 1 to 4 deep under keys of 1 to 128 characters, an 8,192-character referrer or
 * none), each with its best count of values, then climbs from the best by steps of each amplifier
 * (the IPv6 address among them) until no step gains. The bound caps each record's share of the
 * response in proportion to its size, so the winner is whichever record comes closest to the
 * bound: small records, whose fixed costs the bound counts, or large ones.
 */
export async function adversarialMaximum(handler: TransformHandler, bufferBytes: number): Promise<Candidate> {
  const grid: Family[] = [];
  for (const userAgent of [undefined, ...ENRICHING_USER_AGENTS])
    for (const sentAt of [false, true])
      for (const spaces of [undefined, 0, 16, 256, MAX_SPACES])
        for (const referrer of [0, MAX_REFERRER])
          for (const [nesting, keyLength] of NESTINGS)
            grid.push({ userAgent, sentAt, spaces, ip: false, nesting, keyLength, referrer });
  const ranked = (await bestOfFamilies(handler, grid, bufferBytes)).sort(
    (a, b) => b.responseBytes - a.responseBytes,
  );
  let best = ranked[0] as Candidate;
  for (const start of ranked.slice(0, CLIMB_STARTS)) {
    for (let at = start; ; ) {
      const next = most(await bestOfFamilies(handler, neighbours(at.amplifiers), bufferBytes), at);
      if (next === at) break;
      at = next;
      if (at.responseBytes > best.responseBytes) best = at;
    }
  }
  return best;
}

/**
 * Climbs start from this many of the best grid points: the largest count of values within the
 * bound moves in steps as a key lengthens, so the response does too and a climb can stop at a
 * tooth of the saw; several starts and steps of several sizes reach the highest.
 */
const CLIMB_STARTS = 4;
const STEP_SIZES = [1, 3, 9, 27];

/** (nesting, key length) pairs of the grid: flat properties, and 1 to 4 levels of each key length. */
const NESTINGS: ReadonlyArray<readonly [number, number]> = [
  [0, 1],
  ...[1, 2, 3, 4].flatMap((nesting) =>
    [1, 4, 16, 64, MAX_KEY_LENGTH].map((keyLength) => [nesting, keyLength] as const),
  ),
];

/**
 * The families a step away: a count (spaces, key length, referrer) up or down by a step size, one
 * level more or less of nesting, sent_at, the IP address or the URL toggled, another user agent.
 */
function neighbours({ values: _, ...family }: Amplifiers): Family[] {
  const { spaces, nesting, keyLength, referrer } = family;
  const steps: Partial<Family>[] = [
    { sentAt: !family.sentAt },
    { ip: !family.ip },
    ...[undefined, ...ENRICHING_USER_AGENTS].map((userAgent) => ({ userAgent })),
    { spaces: spaces === undefined ? 0 : undefined },
    { nesting: nesting - 1 },
    { nesting: nesting + 1 },
    ...STEP_SIZES.flatMap((size) => [-size, size]).flatMap((step) => [
      { spaces: spaces === undefined ? undefined : spaces + step },
      { keyLength: keyLength + step },
      { referrer: referrer + step },
    ]),
  ];
  return steps
    .map((step) => ({ ...family, ...step }))
    .filter(
      (f) =>
        (f.spaces === undefined || (f.spaces >= 0 && f.spaces <= MAX_SPACES)) &&
        f.nesting >= 0 &&
        f.nesting <= MAX_NESTING &&
        f.keyLength >= 1 &&
        f.keyLength <= MAX_KEY_LENGTH &&
        f.referrer >= 0 &&
        f.referrer <= MAX_REFERRER,
    );
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const ofLimit = (bytes: number) => `${((bytes / LAMBDA_PAYLOAD_LIMIT_BYTES) * 100).toFixed(0)}%`;

async function printBatches(handler: TransformHandler, name: string, shape: EventShape): Promise<void> {
  console.log(name);
  for (const mib of [1, 2, 3]) {
    const { records, requestBytes, responseBytes } = await measurePayload(handler, shape, mib * MIB);
    console.log(
      `  ${mib} MiB: ${String(records).padStart(5)} records  request ${megabytes(requestBytes)} (${ofLimit(requestBytes).padStart(4)})  ` +
        `response ${megabytes(responseBytes)} (${ofLimit(responseBytes).padStart(4)})  per MiB: ${megabytes(requestBytes / mib)} / ${megabytes(responseBytes / mib)}`,
    );
  }
}

export const lambdaPayloadBench: BenchSuite = {
  name: 'lambda-payload',
  async run() {
    // Log lines and metric blobs are not part of the payload.
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
    const { handler } = await import('../lambdas/transform/handler');
    console.log(
      `Firehose -> transform Lambda, per processor buffer (MiB of records); % of the ${megabytes(LAMBDA_PAYLOAD_LIMIT_BYTES)} limit`,
    );
    const worst = await worstOrdinaryShape(handler);
    console.log('ordinary record shapes, response / request (256 KiB batches):');
    for (const [name, ratio] of Object.entries(worst.ratios)) console.log(`  ${ratio.toFixed(2)}  ${name}`);
    await printBatches(handler, 'realistic records', realisticShape());
    await printBatches(handler, `worst ordinary records (${worst.name})`, worst.shape);
    console.log(
      `growth bound: a record's share of the response at most ${RESPONSE_BYTES_PER_INPUT_BYTE} × its bytes, ` +
        `so 1 MiB of records is answered with at most ${megabytes(responseCeiling(MIB))} (${ofLimit(responseCeiling(MIB))})`,
    );
    console.log('amplifying records, refused by it and answered with their own data (1 MiB batch):');
    for (const [name, shape] of Object.entries(AMPLIFYING_SHAPES)) {
      const { requestBytes, responseBytes } = await measurePayload(handler, shape, MIB, 'ProcessingFailed');
      console.log(
        `  ${(responseBytes / requestBytes).toFixed(2)}  ${name}: request ${megabytes(requestBytes)}, response ${megabytes(responseBytes)} (${ofLimit(responseBytes)})`,
      );
    }
    const searchStart = process.hrtime.bigint();
    const { amplifiers } = await adversarialMaximum(handler, MIB);
    const searchSeconds = Number(process.hrtime.bigint() - searchStart) / 1e9;
    const { records, requestBytes, responseBytes } = await measurePayload(
      handler,
      amplifiedShape(amplifiers),
      MIB,
    );
    console.log(
      `adversarial maximum within the bound, every record Ok (searched in ${searchSeconds.toFixed(1)} s):\n` +
        `  ${describeAmplifiers(amplifiers)}\n` +
        `  1 MiB: ${String(records).padStart(5)} records  request ${megabytes(requestBytes)} (${ofLimit(requestBytes).padStart(4)})  ` +
        `response ${megabytes(responseBytes)} (${ofLimit(responseBytes).padStart(4)})`,
    );
  },
};
