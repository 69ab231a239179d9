// Runs one compaction of the lake given as argument and prints its report and this process's peak
// resident memory as one JSON line: the parent's own memory stays out of the number.
import { compactLake } from '../local/curated/compaction';

const lakeDir = process.argv[2];
if (lakeDir === undefined) throw new Error('usage: compaction-child.ts <lakeDir>');
const report = await compactLake({ lakeDir, now: () => Date.parse('2026-11-03T00:00:00.000Z') });
process.stdout.write(`${JSON.stringify({ report, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
