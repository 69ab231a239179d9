import { EVENT_COLUMNS, type StoredEvent, toUtcIso } from '../../contract';
import type {
  AdvertiserAggregation,
  AdvertiserAggregationRequest,
  AdvertiserPage,
  EventIndex,
} from '../../lambdas/aggregator/ports';
import { type TimeRange, WINDOW_MS } from '../../lambdas/aggregator/windows';
import type { LocalDatabase } from '../duckdb/database';

/** The table's name; `events` is taken by the lake view (the local Athena). */
export const EVENT_INDEX_TABLE = 'event_index';

// Events per INSERT: one JSON parameter per batch keeps the statement count low without huge strings.
const INSERT_BATCH = 5000;

// JSON structure for from_json: every stored column with its DuckDB type, so rows land typed.
const ROW_STRUCTURE = JSON.stringify(Object.fromEntries(EVENT_COLUMNS.map((c) => [c.name, c.duckdbType])));
const COLUMN_LIST = EVENT_COLUMNS.map((c) => `"${c.name}"`).join(', ');

// Window start (epoch ms) of an ISO-8601 UTC column.
const windowOf = (column: string) => `(epoch_ms(${column}::TIMESTAMP) // ${WINDOW_MS}) * ${WINDOW_MS}`;

export interface IndexOutcome {
  readonly inserted: number;
  /** Events whose event_id the index already held (or that repeated within the call): ignored. */
  readonly duplicates: number;
}

/**
 * The local stand-in for OpenSearch's `events-*` indices: a DuckDB table keyed by event_id where a
 * repeated event_id is ignored, as a repeated OpenSearch `_id` lands on the same document.
 */
export class DuckDbEventIndex implements EventIndex {
  private constructor(private readonly db: LocalDatabase) {}

  /** Creates the table if needed. The database stays the caller's to close. */
  static async open(db: LocalDatabase): Promise<DuckDbEventIndex> {
    const columns = EVENT_COLUMNS.map(
      (c) => `"${c.name}" ${c.duckdbType}${c.name === 'event_id' ? ' PRIMARY KEY' : ''}`,
    );
    await db.run(`CREATE TABLE IF NOT EXISTS ${EVENT_INDEX_TABLE} (${columns.join(', ')})`);
    return new DuckDbEventIndex(db);
  }

  /** Indexes transformed events (the delivery step calls this with the `Ok` records of a batch). */
  async indexEvents(events: readonly StoredEvent[]): Promise<IndexOutcome> {
    const before = await this.count();
    for (let i = 0; i < events.length; i += INSERT_BATCH) {
      await this.db.run(
        `INSERT OR IGNORE INTO ${EVENT_INDEX_TABLE} (${COLUMN_LIST})
         SELECT ${COLUMN_LIST} FROM (SELECT unnest(from_json($rows::JSON, $structure), recursive := true))`,
        { rows: JSON.stringify(events.slice(i, i + INSERT_BATCH)), structure: `[${ROW_STRUCTURE}]` },
      );
    }
    const inserted = (await this.count()) - before;
    return { inserted, duplicates: events.length - inserted };
  }

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

  async aggregateAdvertiser(request: AdvertiserAggregationRequest): Promise<AdvertiserAggregation> {
    const params = { advertiser: request.advertiserId, ...isoRange(request.windows) };
    const inRange = `advertiser_id = $advertiser AND event_time >= $from AND event_time < $to`;
    const windows = await this.db.all<WindowRow>(
      `SELECT ${windowOf('event_time')} AS window_start,
              count(*) AS events,
              count(*) FILTER (event_type = 'impression') AS impressions,
              count(*) FILTER (event_type = 'click') AS clicks,
              count(*) FILTER (event_type = 'conversion') AS conversions,
              count(*) FILTER (event_type = 'pageview') AS pageviews,
              count(DISTINCT user_id) AS unique_users,
              coalesce(sum(revenue), 0) AS revenue,
              coalesce(sum(cost), 0) AS cost
       FROM ${EVENT_INDEX_TABLE} WHERE ${inRange}
       GROUP BY window_start ORDER BY window_start`,
      params,
    );
    const campaigns = await this.db.all<CampaignRow>(
      `SELECT ${windowOf('event_time')} AS window_start, campaign_id, count(*) AS events
       FROM ${EVENT_INDEX_TABLE} WHERE ${inRange} AND campaign_id IS NOT NULL
       GROUP BY window_start, campaign_id
       QUALIFY row_number() OVER (PARTITION BY window_start ORDER BY events DESC, campaign_id) <= $top
       ORDER BY window_start, events DESC, campaign_id`,
      { ...params, top: request.topCampaigns },
    );
    const late = await this.db.all<{ window_start: bigint; late: bigint }>(
      `SELECT ${windowOf('received_at')} AS window_start, count(*) AS late
       FROM ${EVENT_INDEX_TABLE}
       WHERE advertiser_id = $advertiser AND received_at >= $from AND received_at < $to
         AND epoch_ms(event_time::TIMESTAMP) < ${windowOf('received_at')} - $horizon
       GROUP BY window_start ORDER BY window_start`,
      { ...params, horizon: request.horizonMs },
    );
    const topByWindow = new Map<number, { campaignId: string; events: number }[]>();
    for (const row of campaigns) {
      const start = Number(row.window_start);
      const top = topByWindow.get(start) ?? [];
      top.push({ campaignId: row.campaign_id, events: Number(row.events) });
      topByWindow.set(start, top);
    }
    return {
      windows: windows.map((row) => ({
        windowStart: Number(row.window_start),
        events: Number(row.events),
        impressions: Number(row.impressions),
        clicks: Number(row.clicks),
        conversions: Number(row.conversions),
        pageviews: Number(row.pageviews),
        uniqueUsers: Number(row.unique_users),
        revenue: row.revenue,
        cost: row.cost,
        topCampaigns: topByWindow.get(Number(row.window_start)) ?? [],
      })),
      lateArrivals: late.map((row) => ({ windowStart: Number(row.window_start), count: Number(row.late) })),
    };
  }
}

interface WindowRow {
  window_start: bigint;
  events: bigint;
  impressions: bigint;
  clicks: bigint;
  conversions: bigint;
  pageviews: bigint;
  unique_users: bigint;
  revenue: number;
  cost: number;
}

interface CampaignRow {
  window_start: bigint;
  campaign_id: string;
  events: bigint;
}

// Stored times are fixed-width ISO-8601 UTC text, so text order is time order.
function isoRange(range: TimeRange): { from: string; to: string } {
  return { from: toUtcIso(range.from), to: toUtcIso(range.to) };
}
