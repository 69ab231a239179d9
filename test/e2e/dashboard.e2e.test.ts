import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadSavedQueries } from '../../analytics/catalog';
import { formatResult, jsonValue } from '../../analytics/format';
import { runLocally } from '../../analytics/local-runner';
import type { FailedRecord } from '../../contract';
import { toSummaryJson } from '../../lambdas/aggregator/summary';
import { FileSummaryStore } from '../../local/summary-store/file-summary-store';
import { ARTIFACTS_DIR, contentWidth, launchChromium, screenshot, tableRows } from './browser';
import { localFirehoseClient, localOperation, PROCESS_TEST_CEILING_MS, readLake } from './helpers';
import { type ServeProcess, startServeProcess, stopProcess } from './serve-process';

// The dashboard in a real browser (Debian's chromium, driven by playwright-core) against the real
// local pipeline server: `clickstream serve` on a temporary data dir, traffic replayed through the
// CLI, numbers on the page compared with the summary store read directly from the data dir.

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../cli/clickstream.js', import.meta.url));
const DASHBOARD_CONFIG = fileURLToPath(new URL('../../dashboard/vite.config.ts', import.meta.url));
const WINDOW = 15 * 60_000;
const HOUR = 3_600_000;
const A = 'adv-dash-a';
const B = 'adv-dash-b';
const BOT_AGENT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
// A ceiling for what the page must show (live pushes, a query), not a timing assertion.
const SHOWS_WITHIN = { timeout: 30_000, interval: 100 };

const windowStartOf = (ms: number) => Math.floor(ms / WINDOW) * WINDOW;
const utc = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
const count = (n: number) => n.toLocaleString('en-US');
const amount = (n: number) =>
  n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const rate = (r: number | null) =>
  r === null
    ? '—'
    : `${(r * 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}%`;

/** The traffic: adv A over the last two hours, 20 hours and 3 days ago; adv B now; bots and two currencies. */
function traffic(now: number): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  let n = 0;
  const add = (advertiser: string, at: number, fields: Record<string, unknown>) => {
    n += 1;
    events.push({
      event_id: `dash-${n}`,
      advertiser_id: advertiser,
      event_time: new Date(at).toISOString(),
      user_id: `user-${n % 7}`,
      event_type: 'impression',
      ...fields,
    });
  };
  for (let k = 0; k < 8; k++) {
    const at = windowStartOf(now) - k * WINDOW + 1000;
    for (let i = 0; i <= k % 4; i++) add(A, at + i, { campaign_id: `camp-${(k + i) % 3}` });
    for (let i = 0; i < k % 3; i++)
      add(A, at + 10 + i, { event_type: 'click', campaign_id: `camp-${k % 3}` });
    if (k % 2 === 0) {
      add(A, at + 20, { event_type: 'conversion', revenue: 12.5 + k, currency: k % 4 === 0 ? 'EUR' : 'USD' });
    }
    add(A, at + 30, { event_type: 'pageview', url: `https://shop.example/p/${k % 3}?ref=x` });
    if (k === 1) add(A, at + 40, { user_agent: BOT_AGENT });
  }
  for (let i = 0; i < 4; i++) add(A, now - 20 * HOUR + i, { campaign_id: 'camp-old' });
  add(A, now - 20 * HOUR + 5, { event_type: 'click', campaign_id: 'camp-old' });
  for (let i = 0; i < 2; i++) add(A, now - 3 * 24 * HOUR + i, {});
  for (let i = 0; i < 3; i++) add(B, now - i * WINDOW, { campaign_id: 'camp-b' });
  return events;
}

describe('the dashboard in a real browser, against the local pipeline server', () => {
  let dataDir: string;
  let serve: ServeProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const store = () => new FileSummaryStore(dataDir);
  const screenshots: string[] = [];

  /** Every stored window of `advertiserId` in [from, to), in the API's JSON form. */
  async function stored(advertiserId: string, from: number, to: number) {
    const { summaries } = await store().query({ advertiserId, range: { from, to }, limit: 10_000 });
    return summaries.map(toSummaryJson);
  }

  /** The range the page says it shows (`2026-11-22 08:00 to 2026-11-23 08:15 UTC: …`). */
  async function shownRange(): Promise<{ from: number; to: number }> {
    const text = await page.locator('#range-note').textContent();
    const match = /(\d{4}-\d\d-\d\d \d\d:\d\d) to (\d{4}-\d\d-\d\d \d\d:\d\d) UTC/.exec(text ?? '');
    if (match === null) throw new Error(`no range on the page: ${text}`);
    return {
      from: Date.parse(`${match[1]!.replace(' ', 'T')}Z`),
      to: Date.parse(`${match[2]!.replace(' ', 'T')}Z`),
    };
  }

  async function stat(name: string): Promise<string> {
    return (
      (await page.getByRole('group', { name, exact: true }).locator('.stat-value').textContent()) ?? ''
    ).trim();
  }

  /** The windows table as the page should show it for these stored windows. */
  function expectedRows(windows: Awaited<ReturnType<typeof stored>>) {
    const currencies = [...new Set(windows.flatMap((w) => Object.keys(w.revenue_by_currency)))].sort();
    return [...windows]
      .reverse()
      .map((w) => [
        utc(Date.parse(w.window_start)),
        w.final ? 'final' : 'provisional',
        count(w.impressions),
        count(w.clicks),
        count(w.conversions),
        rate(w.ctr),
        ...currencies.map((c) => amount(w.revenue_by_currency[c] ?? 0)),
        count(w.pageviews),
        count(w.late_events),
      ]);
  }

  /** Checks every number the dashboard shows for the range on screen against the store. */
  async function expectPageEqualsStore(advertiserId: string) {
    await expect.poll(() => page.locator('body').getAttribute('aria-busy'), SHOWS_WITHIN).toBeNull();
    const range = await shownRange();
    const windows = await stored(advertiserId, range.from, range.to);
    const sum = (key: 'impressions' | 'clicks' | 'conversions' | 'late_events') =>
      windows.reduce((total, w) => total + w[key], 0);
    expect(await tableRows(page, /Every window in the range/)).toEqual(expectedRows(windows));
    expect(await stat('Impressions')).toBe(count(sum('impressions')));
    expect(await stat('Clicks')).toBe(count(sum('clicks')));
    expect(await stat('Conversions')).toBe(count(sum('conversions')));
    expect(await stat('Late events')).toBe(count(sum('late_events')));
    const impressions = sum('impressions');
    expect(await stat('CTR')).toBe(rate(impressions === 0 ? null : sum('clicks') / impressions));
    const revenue = new Map<string, number>();
    for (const w of windows) {
      for (const [currency, value] of Object.entries(w.revenue_by_currency)) {
        revenue.set(currency, (revenue.get(currency) ?? 0) + value);
      }
    }
    const money = [...revenue]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([currency, value]) => value.toLocaleString('en-US', { style: 'currency', currency }));
    expect(await stat('Revenue')).toBe(money.length === 0 ? '—' : money.join(' · '));
    const top = (entries: [string, number][]) => {
      const sums = new Map<string, number>();
      for (const [key, value] of entries) sums.set(key, (sums.get(key) ?? 0) + value);
      return [...sums]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 10)
        .map(([key, value]) => [key, count(value)]);
    };
    const campaigns = top(
      windows.flatMap((w) => w.top_campaigns.map((c): [string, number] => [c.campaign_id, c.events])),
    );
    const pages = top(
      windows.flatMap((w) => w.top_pages.map((p): [string, number] => [p.url_path, p.pageviews])),
    );
    if (campaigns.length > 0) expect(await tableRows(page, /Events per campaign/)).toEqual(campaigns);
    else expect(await page.getByText('No campaigns in the range.').isVisible()).toBe(true);
    if (pages.length > 0) expect(await tableRows(page, /Page views per path/)).toEqual(pages);
    else expect(await page.getByText('No page views in the range.').isVisible()).toBe(true);
    return windows;
  }

  // A browser that cannot start fails every test with its message (a failing beforeAll would
  // report the tests as skipped).
  let noBrowser: unknown;
  beforeEach(() => {
    if (noBrowser !== undefined) throw noBrowser;
  });
  // An uncaught error in a page fails the test that caused it.
  const pageErrors: string[] = [];
  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  beforeAll(async () => {
    try {
      browser = await launchChromium();
    } catch (error) {
      noBrowser = error;
      return;
    }
    // The page under test is built from the sources in this checkout, not an older dist/.
    await build({ configFile: DASHBOARD_CONFIG, logLevel: 'warn' });
    dataDir = await mkdtemp(join(tmpdir(), 'dashboard-e2e-'));
    serve = await startServeProcess([
      '--data-dir',
      dataDir,
      '--buffer-interval',
      '0.2',
      '--summary-interval',
      '2',
    ]);

    const now = Date.now();
    const file = join(dataDir, 'traffic.ndjson');
    await writeFile(
      file,
      `${traffic(now)
        .map((e) => JSON.stringify(e))
        .join('\n')}\n`,
    );
    await run(process.execPath, [CLI, 'replay', file, '--endpoint-url', serve.url], {
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
    // Refused records never get past the tracker, so they go to the endpoint directly.
    const client = localFirehoseClient(serve.url);
    const refused = [
      {
        event_id: 'bad-1',
        event_type: 'Not A Type',
        advertiser_id: A,
        event_time: new Date(now).toISOString(),
      },
    ];
    await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'clickstream-events',
        Records: refused.map((e) => ({ Data: Buffer.from(`${JSON.stringify(e)}\n`) })),
      }),
    );
    client.destroy();
    await localOperation(serve.url, 'Flush');

    context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      locale: 'en-US',
      // Not UTC, with a half-hour offset: the pages must show UTC windows whatever the machine's zone.
      timezoneId: 'Asia/Kolkata',
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // No request may leave the machine: every request and WebSocket goes to this server, and the
    // server's Content-Security-Policy refuses anything else (a refusal is logged as an error).
    const origin = new URL(serve.url).origin;
    const own = (url: string) =>
      url.startsWith(`${origin}/`) ||
      url.startsWith(`${origin.replace(/^http/, 'ws')}/`) ||
      /^(data|blob):/.test(url);
    page.on('request', (request) => {
      if (!own(request.url())) pageErrors.push(`request to ${request.url()}`);
    });
    page.on('websocket', (socket) => {
      if (!own(socket.url())) pageErrors.push(`WebSocket to ${socket.url()}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
        pageErrors.push(message.text());
      }
    });
  }, PROCESS_TEST_CEILING_MS);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (serve !== undefined) await stopProcess(serve.child, 'SIGTERM');
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    if (screenshots.length > 0) console.log(`dashboard screenshots:\n  ${screenshots.join('\n  ')}`);
  });

  it('shows the store’s numbers for the picked advertiser over each time range', async () => {
    const response = await page.goto(serve.url);
    expect(response?.headers()['content-security-policy']).toContain("connect-src 'self'");
    const picker = page.getByLabel('Advertiser');
    await expect
      .poll(() => picker.locator('option').allTextContents(), SHOWS_WITHIN)
      .toEqual(await store().advertisers());

    await picker.selectOption(A);
    await page.getByRole('radio', { name: 'Last 24 hours' }).check();
    const day = await expectPageEqualsStore(A);
    expect(day.some((w) => w.final) && day.some((w) => !w.final)).toBe(true);
    expect(day.some((w) => w.late_events > 0)).toBe(true);
    // Failed events: the records of this advertiser under the lake's errors/, read directly.
    const failed = (await readLake<FailedRecord>(join(dataDir, 'lake'), 'errors/processing-failed')).filter(
      (f) => JSON.parse(Buffer.from(f.rawData, 'base64').toString()).advertiser_id === A,
    );
    expect(failed).toHaveLength(1);
    expect(await stat('Failed events')).toBe(count(failed.length));
    expect(await tableRows(page, /Refused events by typed reason/)).toEqual([['invalid_event_type', '1']]);
    // Readable on a 1366x768 laptop: nothing wider than the screen.
    expect(await contentWidth(page)).toBeLessThanOrEqual(1366);
    screenshots.push(await screenshot(page, 'dashboard-24h'));

    await page.getByRole('radio', { name: 'Last 3 hours' }).check();
    const recent = await expectPageEqualsStore(A);
    expect(recent.length).toBeLessThan(day.length);

    // Keyboard: arrow keys move through the range radios and apply the preset at once.
    await page.getByRole('radio', { name: 'Last 3 hours' }).focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByRole('radio', { name: 'Last 7 days' }).isChecked()).toBe(true);
    const week = await expectPageEqualsStore(A);
    expect(week.length).toBeGreaterThan(day.length);
    screenshots.push(await screenshot(page, 'dashboard-7d'));

    await page.getByRole('radio', { name: 'Custom' }).check();
    const from = windowStartOf(Date.now()) - 2 * WINDOW;
    await page.getByLabel('From', { exact: true }).fill(new Date(from).toISOString().slice(0, 16));
    await page.getByLabel('To', { exact: true }).fill(new Date(from + 2 * WINDOW).toISOString().slice(0, 16));
    await page.getByRole('button', { name: 'Apply range' }).click();
    await expect.poll(async () => (await shownRange()).from, SHOWS_WITHIN).toBe(from);
    const custom = await expectPageEqualsStore(A);
    expect(custom).toHaveLength(2);

    await picker.selectOption(B);
    await page.getByRole('radio', { name: 'Last 24 hours' }).check();
    await expect.poll(() => page.locator('#range-note').textContent(), SHOWS_WITHIN).toContain('windows');
    await expectPageEqualsStore(B);
  });

  it('changes a window on screen when a put reaches it, without a reload', async () => {
    await page.goto(`${serve.url}/?advertiser=${A}`);
    await page.getByRole('radio', { name: 'Last 3 hours' }).check();
    await expectPageEqualsStore(A);
    // The server acknowledged the subscription: a window stored from now on is pushed.
    await expect
      .poll(() => page.locator('#live-state').textContent(), SHOWS_WITHIN)
      .toBe(`Live: following ${A}`);
    const at = Date.now();
    const label = utc(windowStartOf(at));
    const impressionsOf = async () => {
      const rows = await tableRows(page, /Every window in the range/);
      return rows.find((r) => r[0] === label)?.[2] ?? '0';
    };
    const before = Number((await impressionsOf()).replaceAll(',', ''));

    const client = localFirehoseClient(serve.url);
    await client.send(
      new PutRecordCommand({
        DeliveryStreamName: 'clickstream-events',
        Record: {
          Data: Buffer.from(
            `${JSON.stringify({ event_id: 'live-1', event_type: 'impression', advertiser_id: A, event_time: new Date(at).toISOString() })}\n`,
          ),
        },
      }),
    );
    client.destroy();

    await expect.poll(impressionsOf, SHOWS_WITHIN).toBe(count(before + 1));
    screenshots.push(await screenshot(page, 'dashboard-live-update'));
    const [window] = await stored(A, windowStartOf(at), windowStartOf(at) + WINDOW);
    expect(window?.impressions).toBe(before + 1);
    await expectPageEqualsStore(A);
  });

  it('shows a refused event with its typed reason in the live tail, and pauses', async () => {
    await page.goto(`${serve.url}/tail.html`);
    await expect
      .poll(() => page.locator('#live-state').textContent(), SHOWS_WITHIN)
      .toBe('Live: following events');
    const client = localFirehoseClient(serve.url);
    const ok = {
      event_id: 'tail-ok',
      event_type: 'click',
      advertiser_id: A,
      event_time: new Date().toISOString(),
    };
    // The third repeats the first's event_id in the same batch: the transform drops it.
    const events = [
      ok,
      { ...ok, event_id: 'tail-bad', event_type: 'impression', event_time: 'yesterday' },
      ok,
    ];
    await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'clickstream-events',
        Records: events.map((e) => ({ Data: Buffer.from(`${JSON.stringify(e)}\n`) })),
      }),
    );
    const tail = /Latest events/;
    // Outcome, reason and type of each row of an event id, newest first.
    const rowsOf = async (id: string) =>
      (await tableRows(page, tail)).filter((r) => r[5] === id).map((r) => r.slice(1, 4));
    await expect
      .poll(() => rowsOf('tail-bad'), SHOWS_WITHIN)
      .toEqual([['failed', 'invalid_timestamp', 'impression']]);
    expect(await rowsOf('tail-ok')).toEqual([
      ['dropped', '', 'click'],
      ['ok', '', 'click'],
    ]);
    expect(await contentWidth(page)).toBeLessThanOrEqual(1366);
    screenshots.push(await screenshot(page, 'tail'));

    await page.getByRole('button', { name: 'Pause' }).click();
    expect(await page.getByRole('button', { name: 'Resume' }).getAttribute('aria-pressed')).toBe('true');
    const shown = (await tableRows(page, tail)).length;
    await client.send(
      new PutRecordCommand({
        DeliveryStreamName: 'clickstream-events',
        Record: { Data: Buffer.from(`${JSON.stringify({ ...events[0], event_id: 'tail-paused' })}\n`) },
      }),
    );
    await expect
      .poll(() => page.locator('#tail-counts').textContent(), SHOWS_WITHIN)
      .toContain('arrived while paused');
    expect(await tableRows(page, tail)).toHaveLength(shown);
    await page.getByRole('button', { name: 'Resume' }).click();
    expect((await tableRows(page, tail))[0]?.[5]).toBe('tail-paused');
    client.destroy();
  });

  it('runs a saved query from its parameter form, shows the table and downloads the same rows as CSV', async () => {
    await page.goto(`${serve.url}/queries.html`);
    // By keyboard: Enter on a query in the list opens its form and moves the focus to its name.
    await page.getByRole('link', { name: 'ctr_by_campaign' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator(':focus').textContent(), SHOWS_WITHIN).toBe('ctr_by_campaign');
    expect(await page.getByRole('heading', { name: 'ctr_by_campaign' }).isVisible()).toBe(true);
    const today = new Date().toISOString().slice(0, 10);
    const start = new Date(Date.now() - 3 * 24 * HOUR).toISOString().slice(0, 10);

    // The form refuses an end before the start, from the header's `date[start_date..]`.
    await page.getByLabel('start_date').fill(today);
    await page.getByLabel('end_date').fill(start);
    await page.getByRole('button', { name: 'Run query' }).click();
    expect(await page.getByLabel('end_date').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('start_date').fill(start);
    await page.getByLabel('end_date').fill(today);
    // An integer outside the header's integer[1..365] is refused before anything is sent.
    await page.getByLabel('attribution_days').fill('0');
    await page.getByRole('button', { name: 'Run query' }).click();
    expect(await page.getByLabel('attribution_days').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('attribution_days').fill('7');
    await page.getByRole('button', { name: 'Run query' }).click();
    const caption = /^ctr_by_campaign: /;
    await expect.poll(() => page.getByRole('table', { name: caption }).count(), SHOWS_WITHIN).toBe(1);
    const shown = await tableRows(page, caption);
    expect(await contentWidth(page)).toBeLessThanOrEqual(1366);
    screenshots.push(await screenshot(page, 'queries'));

    const query = loadSavedQueries().find((q) => q.name === 'ctr_by_campaign')!;
    const direct = await runLocally(
      query,
      new Map<string, string | number>([
        ['start_date', start],
        ['end_date', today],
        ['attribution_days', 7],
      ]),
      { dataDir },
    );
    // The page shows the route's JSON values (numbers typed, as `--format json`), as text.
    const asShown = direct.rows.map((row) =>
      row.map((value, i) => {
        const shownValue = jsonValue(value, direct.columns[i]!.kind);
        return shownValue === null ? '' : String(shownValue);
      }),
    );
    expect(shown).toEqual(asShown);
    expect(shown.some((r) => r.includes(A))).toBe(true);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csvPath = join(ARTIFACTS_DIR, download.suggestedFilename());
    await download.saveAs(csvPath);
    expect(await readFile(csvPath, 'utf8')).toBe(formatResult(direct, 'csv'));
    expect(download.suggestedFilename()).toMatch(/^ctr_by_campaign.*\.csv$/);
  });
});
