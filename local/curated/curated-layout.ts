import { join } from 'node:path';
import { CURATED_EVENTS_TABLE } from '../../analytics/lake-tables';

/** The one Parquet file of an event day: replaced whole (temp file + rename) by each run that touches the day. */
export const DAY_FILE = 'events.parquet';

/** Where the curated table lives in a lake directory (`<lake>/curated/`, hive layout by event_date). */
export function curatedLayout(lakeDir: string) {
  const root = join(lakeDir, 'curated');
  return {
    table: CURATED_EVENTS_TABLE,
    root,
    /** `<lake>/curated/event_date=YYYY-MM-DD/` */
    dayFolder: (eventDate: string) => join(root, `event_date=${eventDate}`),
    dayFile: (eventDate: string) => join(root, `event_date=${eventDate}`, DAY_FILE),
    /** Every day's file, for read_parquet with hive partitioning. */
    glob: join(root, 'event_date=*', '*.parquet'),
    /** The compaction's state, written after each run's merge. */
    watermarkFile: join(root, '_watermark.json'),
  };
}
