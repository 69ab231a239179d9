import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { listValue } from '@duckdb/node-api';
import { EVENT_COLUMNS, type StoredEvent, toUtcIso } from '../../contract';
import type {
  AdvertiserAggregation,
  AdvertiserAggregationRequest,
  AdvertiserPage,
  AdvertisersAggregationRequest,
  BulkEventIndex,
  LateArrivals,
} from '../../lambdas/aggregator/ports';
import { type AmountsByCurrency, NO_CURRENCY, type WindowAggregate } from '../../lambdas/aggregator/summary';
import { type TimeRange, WINDOW_MS } from '../../lambdas/aggregator/windows';
import type { LocalDatabase } from '../duckdb/database';
import { PRIVATE_FILE_MODE, temporaryPath } from '../pipeline/data-dir';
import { IndexCallError, type IndexOutcome, type LocalEventIndex } from './local-event-index';

/** The table's name; `events` is taken by the lake view (the local Athena). */
export const EVENT_INDEX_TABLE = 'event_index';

// Events per INSERT: DuckDB's JSON reader parses a newline-delimited file in parallel, which is
// several times faster than binding rows as parameters, and faster than DuckDB's appender from JS
// (one native call per value: 25-40% fewer events/s, measured); the file lives only for the statement.
const INSERT_BATCH = 50_000;

// Every stored column with its DuckDB type, so read_json lands rows typed and ignores nothing else.
const COLUMN_TYPES = `{${EVENT_COLUMNS.map((c) => `'${c.name}': '${c.duckdbType}'`).join(', ')}}`;
const COLUMN_LIST = EVENT_COLUMNS.map((c) => `"${c.name}"`).join(', ');

// The longest url_path OpenSearch indexes (its mapping's ignore_above): a longer one is not ranked.
const INDEXED_PATH_LENGTH = Number(EVENT_COLUMNS.find((c) => c.name === 'url_path')?.openSearch.ignore_above);

// Window start (epoch ms) of an ISO-8601 UTC column.
const windowOf = (column: string) => `(epoch_ms(${column}::TIMESTAMP) // ${WINDOW_MS}) * ${WINDOW_MS}`;

// The key: an event delivered again is the same event_id at the same event_time. event_time leads
// so that the key follows arrival order: DuckDB's checkpoint (every 16 MiB of WAL) rewrites every
// index buffer an insert touched, and random keys (event_ids are UUIDs) touch buffers all over the
// index, so each checkpoint rewrote about the whole index and delivery slowed as the table grew
// (keyed by event_id alone: 11,800 events/s at 0.1 M rows, 4,300 at 5 M; now 10,100 and 12,000,
// `npm run bench index-growth`); time-ordered keys touch the newest buffers and a few for late
// events.
const KEY = ['event_time', 'event_id'];

export interface DuckDbEventIndexOptions {
  /**
   * Folder of the batch files indexEvents writes (`.tmp-<uuid>.ndjson`, owner-only, deleted once
   * read): the pipeline passes its data dir, which it clears of temporary files at start.
   * @default the system's temporary folder
   */
  readonly tempDir?: string;
}

/**
 * The local stand-in for OpenSearch's `events-*` indices: a DuckDB table keyed by event_time and
 * event_id where a repeated event is ignored, as a repeated OpenSearch `_id` lands on the same
 * document (of the same event day).
 */
export class DuckDbEventIndex implements BulkEventIndex, LocalEventIndex {
  private constructor(
    private readonly db: LocalDatabase,
    private readonly tempDir: string,
  ) {}

  /**
   * Creates the table if needed, and rekeys one made by an earlier version (keyed by event_id
   * alone). The database stays the caller's to close.
   */
  static async open(db: LocalDatabase, options: DuckDbEventIndexOptions = {}): Promise<DuckDbEventIndex> {
    const [existing] = await db.all<{ key: string[] }>(
      `SELECT constraint_column_names AS key FROM duckdb_constraints()
       WHERE table_name = '${EVENT_INDEX_TABLE}' AND constraint_type = 'PRIMARY KEY'`,
    );
    if (existing === undefined) await db.run(createTable(EVENT_INDEX_TABLE));
    else if (existing.key.join() !== KEY.join()) await rekey(db);
    return new DuckDbEventIndex(db, options.tempDir ?? tmpdir());
  }

  /** Indexes transformed events (the delivery step calls this with the `Ok` records of a batch). */
  async indexEvents(events: readonly StoredEvent[]): Promise<IndexOutcome> {
    if (events.length === 0) return { inserted: 0, duplicates: 0 };
    let inserted = 0;
    for (let i = 0; i < events.length; i += INSERT_BATCH) {
      const file = temporaryPath(this.tempDir, '.ndjson');
      try {
        // Written synchronously: a delivery's megabyte lands in the page cache in about a millisecond,
        // whereas an asynchronous write waits in libuv's thread pool behind the spool's fsyncs and the
        // lake's gzip (measured in `npm run bench local`, runs interleaved: indexing about 17,000
        // events/s with fs/promises, 27,000-28,000 written synchronously).
        writeFileSync(
          file,
          events
            .slice(i, i + INSERT_BATCH)
            .map((event) => JSON.stringify(event))
            .join('\n'),
          { flag: 'wx', mode: PRIVATE_FILE_MODE },
        );
        // A table function's file name cannot be a bound parameter; this one is our own temp path.
        // The statement's row count is what it inserted (the ignored rows are not counted).
        const [row] = await this.db
          .all<{ Count: bigint }>(
            `INSERT OR IGNORE INTO ${EVENT_INDEX_TABLE} (${COLUMN_LIST})
             SELECT ${COLUMN_LIST} FROM read_json('${file.replaceAll("'", "''")}', columns = ${COLUMN_TYPES}, format = 'newline_delimited')`,
          )
          .catch((error: unknown) => {
            throw indexCallError(error);
          });
        inserted += Number(row?.Count ?? 0);
      } finally {
        rmSync(file, { force: true });
      }
    }
    return { inserted, duplicates: events.length - inserted };
  }

  /** Nothing to do: a committed insert is visible to the next statement. */
  async refresh(): Promise<void> {}

  async count(): Promise<number> {
    const [row] = await this.db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${EVENT_INDEX_TABLE}`);
    return Number(row?.n ?? 0);
  }

  async listActiveAdvertisers(
    range: TimeRange,
    page: { size: number; after?: string },
  ): Promise<AdvertiserPage> {
    const rows = await this.db.all<{ advertiser_id: string }>(
      `SELECT DISTINCT advertiser_id FROM ${EVENT_INDEX_TABLE}
       WHERE ((event_time >= $from AND event_time < $to) OR (received_at >= $from AND received_at < $to))
         AND advertiser_id > $after
       ORDER BY advertiser_id LIMIT $size`,
      { ...isoRange(range), after: page.after ?? '', size: page.size },
    );
    const advertiserIds = rows.map((row) => row.advertiser_id);
    const last = advertiserIds.at(-1);
    return advertiserIds.length === page.size && last !== undefined
      ? { advertiserIds, next: last }
      : { advertiserIds };
  }

  /**
   * One statement per advertiser, as the OpenSearch adapter sends one request. The local pipeline
   * uses aggregateAdvertisers instead; this is the same statement for one advertiser.
   */
  async aggregateAdvertiser(request: AdvertiserAggregationRequest): Promise<AdvertiserAggregation> {
    const { advertiserId, ...rest } = request;
    const aggregations = await this.aggregateAdvertisers({ ...rest, advertiserIds: [advertiserId] });
    return aggregations.get(advertiserId) ?? { windows: [], lateArrivals: [] };
  }

  /**
   * One statement for many advertisers: the table has no per-advertiser index, so each statement
   * reads the whole table once (the rows of one advertiser are scattered across it), and a page of
   * advertisers read in one pass costs about what one advertiser costs alone.
   */
  async aggregateAdvertisers(
    request: AdvertisersAggregationRequest,
  ): Promise<ReadonlyMap<string, AdvertiserAggregation>> {
    const aggregations = new Map<string, { windows: WindowAggregate[]; lateArrivals: LateArrivals[] }>();
    const rows = await this.db.all<WindowRow>(AGGREGATE_ADVERTISERS_SQL, {
      advertisers: listValue([...request.advertiserIds]),
      ...isoRange(request.windows),
      top: request.topCampaigns,
      horizon: request.horizonMs,
    });
    for (const row of rows) {
      let aggregation = aggregations.get(row.advertiser_id);
      if (aggregation === undefined) {
        aggregation = { windows: [], lateArrivals: [] };
        aggregations.set(row.advertiser_id, aggregation);
      }
      if (row.window_start !== null) aggregation.windows.push(toWindowAggregate(row));
      if (row.late_window !== null)
        aggregation.lateArrivals.push({
          windowStart: Number(row.late_window),
          count: Number(row.late_events),
        });
    }
    return aggregations;
  }
}

// DuckDB's error kinds that mean "this data", as OpenSearch answers 400 for a document it cannot take.
const DATA_ERRORS = new Set(['Invalid Input', 'Conversion', 'Constraint', 'Out of Range']);

/**
 * DuckDB's error as an IndexCallError, typed by its kind (`Invalid Input Error: …` becomes
 * `invalid_input_error`), so a refused row is recorded with a short, stable reason.
 */
function indexCallError(error: unknown): IndexCallError {
  const message = error instanceof Error ? error.message : String(error);
  const kind = /^([A-Za-z][A-Za-z ]*) Error: /.exec(message)?.[1];
  const errorType = kind === undefined ? 'duckdb_error' : `${kind.toLowerCase().replaceAll(' ', '_')}_error`;
  return new IndexCallError(message, kind !== undefined && DATA_ERRORS.has(kind) ? 400 : 500, errorType);
}

function createTable(name: string): string {
  const columns = EVENT_COLUMNS.map((c) => `"${c.name}" ${c.duckdbType}`);
  return `CREATE TABLE ${name} (${columns.join(', ')}, PRIMARY KEY (${KEY.map((k) => `"${k}"`).join(', ')}))`;
}

/** Moves the rows of a table keyed by event_id alone into one with today's key, in one transaction. */
async function rekey(db: LocalDatabase): Promise<void> {
  const previous = `${EVENT_INDEX_TABLE}_by_event_id`;
  await db.run('BEGIN TRANSACTION');
  try {
    await db.run(`ALTER TABLE ${EVENT_INDEX_TABLE} RENAME TO ${previous}`);
    await db.run(createTable(EVENT_INDEX_TABLE));
    await db.run(
      `INSERT INTO ${EVENT_INDEX_TABLE} (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM ${previous} ORDER BY event_time, event_id`,
    );
    await db.run(`DROP TABLE ${previous}`);
    await db.run('COMMIT');
  } catch (error) {
    await db.run('ROLLBACK');
    throw error;
  }
}

// The advertisers' events in the range are read once (a materialised CTE) and shaped into one row
// per advertiser and window with counts, amounts by currency, top campaigns and pages and late
// arrivals, oldest window first. Each rule mirrors the OpenSearch request (opensearch/requests.ts):
// an event without is_bot is billable; an amount without a currency is kept under NO_CURRENCY; a
// url_path longer than the OpenSearch mapping's ignore_above is not indexed there, so not ranked here.
const AGGREGATE_ADVERTISERS_SQL = `
  WITH e AS MATERIALIZED (
    SELECT advertiser_id, event_type, user_id, revenue, cost, coalesce(currency, '${NO_CURRENCY}') AS currency,
           campaign_id, url_path, coalesce(is_bot, false) AS bot, event_time, received_at,
           ${windowOf('event_time')} AS event_window, ${windowOf('received_at')} AS arrival_window
    FROM ${EVENT_INDEX_TABLE}
    WHERE advertiser_id IN (SELECT unnest($advertisers::VARCHAR[]))
      AND ((event_time >= $from AND event_time < $to) OR (received_at >= $from AND received_at < $to))
  ),
  w AS (
    SELECT * EXCLUDE (event_window), event_window AS window_start
    FROM e WHERE event_time >= $from AND event_time < $to
  ),
  counts AS (
    SELECT advertiser_id, window_start,
           count(*) AS events,
           count(*) FILTER (event_type = 'impression' AND NOT bot) AS impressions,
           count(*) FILTER (event_type = 'click' AND NOT bot) AS clicks,
           count(*) FILTER (event_type = 'conversion' AND NOT bot) AS conversions,
           count(*) FILTER (event_type = 'pageview') AS pageviews,
           count(*) FILTER (event_type = 'impression' AND bot) AS bot_impressions,
           count(*) FILTER (event_type = 'click' AND bot) AS bot_clicks,
           count(DISTINCT user_id) AS unique_users
    FROM w
    GROUP BY advertiser_id, window_start
  ),
  by_currency AS (
    SELECT advertiser_id, window_start, currency,
           sum(revenue) AS revenue, sum(cost) AS cost
    FROM w WHERE NOT bot AND (revenue IS NOT NULL OR cost IS NOT NULL)
    GROUP BY advertiser_id, window_start, currency
  ),
  amounts AS (
    SELECT advertiser_id, window_start,
           list({'currency': currency, 'amount': revenue}) FILTER (revenue IS NOT NULL) AS revenue_by_currency,
           list({'currency': currency, 'amount': cost}) FILTER (cost IS NOT NULL) AS cost_by_currency
    FROM by_currency GROUP BY advertiser_id, window_start
  ),
  ranked AS (
    SELECT advertiser_id, window_start, campaign_id, count(*) AS events
    FROM w WHERE campaign_id IS NOT NULL
    GROUP BY advertiser_id, window_start, campaign_id
    QUALIFY row_number() OVER (PARTITION BY advertiser_id, window_start ORDER BY count(*) DESC, campaign_id) <= $top
  ),
  top AS (
    SELECT advertiser_id, window_start,
           list({'campaign_id': campaign_id, 'events': events} ORDER BY events DESC, campaign_id) AS top_campaigns
    FROM ranked GROUP BY advertiser_id, window_start
  ),
  ranked_pages AS (
    SELECT advertiser_id, window_start, url_path, count(*) AS pageviews
    FROM w WHERE event_type = 'pageview' AND url_path IS NOT NULL AND length(url_path) <= ${INDEXED_PATH_LENGTH}
    GROUP BY advertiser_id, window_start, url_path
    QUALIFY row_number() OVER (PARTITION BY advertiser_id, window_start ORDER BY count(*) DESC, url_path) <= $top
  ),
  pages AS (
    SELECT advertiser_id, window_start,
           list({'url_path': url_path, 'pageviews': pageviews} ORDER BY pageviews DESC, url_path) AS top_pages
    FROM ranked_pages GROUP BY advertiser_id, window_start
  ),
  late AS (
    -- Late: its own window was already final when it arrived (event_time before the arrival
    -- window's start minus the horizon).
    SELECT advertiser_id, arrival_window AS window_start, count(*) AS late_events
    FROM e
    WHERE received_at >= $from AND received_at < $to
      AND epoch_ms(event_time::TIMESTAMP) < arrival_window - $horizon
    GROUP BY advertiser_id, arrival_window
  )
  SELECT coalesce(counts.advertiser_id, late.advertiser_id) AS advertiser_id, counts.* EXCLUDE (advertiser_id),
         amounts.revenue_by_currency, amounts.cost_by_currency, top.top_campaigns, pages.top_pages,
         late.window_start AS late_window, late.late_events
  FROM counts
  LEFT JOIN amounts ON amounts.advertiser_id = counts.advertiser_id AND amounts.window_start = counts.window_start
  LEFT JOIN top ON top.advertiser_id = counts.advertiser_id AND top.window_start = counts.window_start
  LEFT JOIN pages ON pages.advertiser_id = counts.advertiser_id AND pages.window_start = counts.window_start
  FULL OUTER JOIN late ON late.advertiser_id = counts.advertiser_id AND late.window_start = counts.window_start
  ORDER BY 1, coalesce(counts.window_start, late.window_start)`;

function toWindowAggregate(row: WindowRow): WindowAggregate {
  return {
    windowStart: Number(row.window_start),
    events: Number(row.events),
    impressions: Number(row.impressions),
    clicks: Number(row.clicks),
    conversions: Number(row.conversions),
    pageviews: Number(row.pageviews),
    botImpressions: Number(row.bot_impressions),
    botClicks: Number(row.bot_clicks),
    uniqueUsers: Number(row.unique_users),
    revenueByCurrency: byCurrency(row.revenue_by_currency),
    costByCurrency: byCurrency(row.cost_by_currency),
    topCampaigns: (row.top_campaigns ?? []).map((c) => ({
      campaignId: c.campaign_id,
      events: Number(c.events),
    })),
    topPages: (row.top_pages ?? []).map((p) => ({ urlPath: p.url_path, pageviews: Number(p.pageviews) })),
  };
}

function byCurrency(amounts: CurrencyAmount[] | null): AmountsByCurrency {
  return Object.fromEntries((amounts ?? []).map((a) => [a.currency, a.amount]));
}

interface CurrencyAmount {
  currency: string;
  amount: number;
}

// One row per advertiser and window with events and/or late arrivals; the counts are null for a
// late-only window.
interface WindowRow {
  advertiser_id: string;
  window_start: bigint | null;
  events: bigint;
  impressions: bigint;
  clicks: bigint;
  conversions: bigint;
  pageviews: bigint;
  bot_impressions: bigint;
  bot_clicks: bigint;
  unique_users: bigint;
  revenue_by_currency: CurrencyAmount[] | null;
  cost_by_currency: CurrencyAmount[] | null;
  top_campaigns: { campaign_id: string; events: bigint }[] | null;
  top_pages: { url_path: string; pageviews: bigint }[] | null;
  late_window: bigint | null;
  late_events: bigint | null;
}

// Stored times are fixed-width ISO-8601 UTC text, so text order is time order.
function isoRange(range: TimeRange): { from: string; to: string } {
  return { from: toUtcIso(range.from), to: toUtcIso(range.to) };
}
