import { errorMessage, type FailedCounts, fetchAdvertisers, fetchFailed, fetchSummaries } from './api';
import { type ChartSpec, WindowChart } from './charts';
import { announce, byId, el, table } from './dom';
import { formatAmount, formatCount, formatMoney, formatRate, formatUtc } from './format';
import { LiveConnection, liveStateText } from './live';
import { currenciesOf, mergeWindow, type Summary, topOverRange, totalsOf } from './summary';
import {
  advanceRolling,
  customRange,
  PRESETS,
  type PresetName,
  presetRange,
  rangeHolds,
  type TimeRange,
  toUtcInputValue,
} from './time-range';

const TOP_LIMIT = 10;

const advertiserSelect = byId<HTMLSelectElement>('advertiser');
const controls = byId<HTMLFormElement>('controls');
const customFields = byId('custom-range');
const fromInput = byId<HTMLInputElement>('from');
const toInput = byId<HTMLInputElement>('to');
const errorBox = byId('dashboard-error');

interface View {
  advertiserId: string;
  range: TimeRange;
  windows: Summary[];
  failed: FailedCounts | undefined;
}

let view: View | undefined;
// Loads can overlap (a quick change of advertiser): only the latest one may draw. Pushes for the
// advertiser being loaded wait in `loading` and are merged into what the read returns.
let loadSequence = 0;
let loading: { advertiserId: string; pushed: Summary[] } | undefined;

const countFormat = (v: number) => formatCount(v);
const charts = new Map<string, WindowChart>();
const count = (title: string, value: (w: Summary) => number): ChartSpec => ({
  title,
  series: [{ label: title, value }],
  format: countFormat,
  integer: true,
});
const FIXED_CHARTS: ChartSpec[] = [
  count('Impressions', (w) => w.impressions),
  count('Clicks', (w) => w.clicks),
  count('Conversions', (w) => w.conversions),
  { title: 'CTR', series: [{ label: 'CTR', value: (w) => w.ctr }], format: (v) => formatRate(v) },
];

const live = new LiveConnection({
  onState: (state) => {
    byId('live-state').textContent = liveStateText(state);
  },
  onMessage: (message) => {
    if (message.type === 'summary') onSummaryPushed(message.summary);
    else if (message.type === 'subscribed' && message.advertiser_id === advertiserSelect.value) {
      byId('live-state').textContent = `Live: following ${message.advertiser_id}`;
    } else if (message.type === 'error') console.warn(`live: ${message.error}: ${message.message}`);
  },
});

function selectedRange(): TimeRange | string {
  const choice = new FormData(controls).get('range');
  if (choice === 'custom') return customRange(fromInput.value, toInput.value);
  const preset = (typeof choice === 'string' && choice in PRESETS ? choice : '24h') as PresetName;
  return presetRange(preset, Date.now());
}

async function load(): Promise<void> {
  const advertiserId = advertiserSelect.value;
  const range = selectedRange();
  showError(undefined);
  if (typeof range === 'string') {
    showError(range);
    return;
  }
  if (advertiserId === '') return;
  const sequence = ++loadSequence;
  const previous = loading?.advertiserId ?? view?.advertiserId;
  if (previous !== undefined && previous !== advertiserId) {
    live.drop(`summary:${previous}`, { action: 'unsubscribe', advertiser_id: previous });
  }
  loading = { advertiserId, pushed: [] };
  // Subscribe before reading, so a window stored while the read runs is not missed.
  live.ensure(`summary:${advertiserId}`, { action: 'subscribe', advertiser_id: advertiserId });
  rememberInUrl(advertiserId);
  document.body.setAttribute('aria-busy', 'true');
  try {
    const [windows, failed] = await Promise.all([
      fetchSummaries(advertiserId, range),
      fetchFailed(range, advertiserId).catch((error: unknown) => {
        console.warn('failed counts unavailable', error);
        return undefined;
      }),
    ]);
    if (sequence !== loadSequence) return;
    const pushed = loading?.pushed ?? [];
    loading = undefined;
    view = { advertiserId, range, windows, failed };
    // mergeWindow keeps whichever computation is newer: the read or a push that raced it.
    for (const w of pushed) if (rangeHolds(range, Date.parse(w.window_start))) mergeInto(w);
    render();
    announce(`Showing ${advertiserId}, ${windows.length} windows.`);
  } catch (error) {
    if (sequence === loadSequence) showError(errorMessage(error));
  } finally {
    if (sequence === loadSequence) {
      loading = undefined;
      document.body.removeAttribute('aria-busy');
    }
  }
}

function mergeInto(summary: Summary): void {
  if (view === undefined) return;
  view.windows = mergeWindow(view.windows, summary);
}

function onSummaryPushed(summary: Summary): void {
  if (loading?.advertiserId === summary.advertiser_id) {
    loading.pushed.push(summary);
    return;
  }
  if (view === undefined || summary.advertiser_id !== view.advertiserId) return;
  const start = Date.parse(summary.window_start);
  if (!rangeHolds(view.range, start)) return;
  mergeInto(summary);
  const range = advanceRolling(view.range, start);
  if (range !== view.range) {
    view.range = range;
    view.windows = view.windows.filter((w) => Date.parse(w.window_start) >= range.from);
  }
  refreshFailedSoon();
  render();
  announce(
    `Window ${formatUtc(start)} UTC updated: ${formatCount(summary.impressions)} impressions, ` +
      `${formatCount(summary.clicks)} clicks (${summary.final ? 'final' : 'provisional'}).`,
  );
}

// A push means a delivery; refused records of it show in the failed counts, read again at most
// this often (they come from the lake's errors/, not from the pushes).
const FAILED_REFRESH_MS = 10_000;
let failedRefresh: ReturnType<typeof setTimeout> | undefined;

function refreshFailedSoon(): void {
  if (failedRefresh !== undefined) return;
  failedRefresh = setTimeout(async () => {
    const shown = view;
    if (shown !== undefined) {
      const failed = await fetchFailed(shown.range, shown.advertiserId).catch(() => shown.failed);
      // Only when the page still shows what was asked for.
      if (view === shown) {
        view.failed = failed;
        render();
      }
    }
    failedRefresh = undefined;
  }, FAILED_REFRESH_MS);
}

function render(): void {
  if (view === undefined) return;
  const { windows, range, failed } = view;
  const totals = totalsOf(windows);
  const currencies = currenciesOf(windows);

  byId('range-note').textContent =
    `${formatUtc(range.from)} to ${formatUtc(range.to)} UTC: ${totals.windows} windows with data, ` +
    `${totals.provisionalWindows} of them provisional.`;

  const revenueText =
    currencies.length === 0
      ? '—'
      : currencies.map((c) => formatMoney(totals.revenueByCurrency[c] ?? 0, c)).join(' · ');
  const stats: [string, string][] = [
    ['Impressions', formatCount(totals.impressions)],
    ['Clicks', formatCount(totals.clicks)],
    ['Conversions', formatCount(totals.conversions)],
    ['CTR', formatRate(totals.ctr)],
    ['Revenue', revenueText],
    ['Late events', formatCount(totals.lateEvents)],
    ['Failed events', failed === undefined ? 'unavailable' : formatCount(failed.total)],
  ];
  byId('totals').replaceChildren(
    ...stats.map(([name, value]) => {
      const id = `stat-${name.toLowerCase().replace(/\s+/g, '-')}`;
      return el(
        'div',
        { class: 'stat', role: 'group', 'aria-labelledby': id },
        el('span', { class: 'stat-name', id }, name),
        el('span', { class: 'stat-value' }, value),
      );
    }),
  );

  renderCharts(windows, range, currencies);
  renderTop(windows);
  renderFailed(failed);
  renderWindows(windows, currencies);
}

function renderCharts(windows: readonly Summary[], range: TimeRange, currencies: string[]): void {
  const revenue: ChartSpec = {
    title: 'Revenue',
    series: currencies.map((c) => ({ label: c, value: (w: Summary) => w.revenue_by_currency[c] ?? 0 })),
    format: (v) => formatAmount(v),
  };
  for (const spec of [...FIXED_CHARTS, revenue]) {
    let chart = charts.get(spec.title);
    if (chart === undefined) {
      chart = new WindowChart(spec);
      charts.set(spec.title, chart);
      byId('charts').append(chart.figure);
    }
    chart.update(windows, range, spec.series);
  }
}

function renderTop(windows: readonly Summary[]): void {
  const campaigns = topOverRange(windows, 'top_campaigns', TOP_LIMIT);
  const pages = topOverRange(windows, 'top_pages', TOP_LIMIT);
  byId('top-campaigns').replaceChildren(
    campaigns.length === 0
      ? el('p', { class: 'note' }, 'No campaigns in the range.')
      : table(
          'Events per campaign, summed over each window’s top list',
          ['Campaign', 'Events'],
          campaigns.map((c) => [c.key, formatCount(c.count)]),
          { numeric: [false, true] },
        ),
  );
  byId('top-pages').replaceChildren(
    pages.length === 0
      ? el('p', { class: 'note' }, 'No page views in the range.')
      : table(
          'Page views per path, summed over each window’s top list',
          ['Page', 'Page views'],
          pages.map((p) => [p.key, formatCount(p.count)]),
          { numeric: [false, true] },
        ),
  );
}

function renderFailed(failed: FailedCounts | undefined): void {
  const box = byId('failed');
  if (failed === undefined) {
    box.replaceChildren(el('p', { class: 'note' }, 'The failed-event counts could not be read.'));
  } else if (failed.total === 0) {
    box.replaceChildren(el('p', { class: 'note' }, 'No failed events in the range.'));
  } else {
    box.replaceChildren(
      table(
        'Refused events by typed reason (arrival time in the range)',
        ['Reason', 'Events'],
        failed.byReason.map((r) => [r.reason, formatCount(r.count)]),
        { numeric: [false, true] },
      ),
    );
  }
}

function renderWindows(windows: readonly Summary[], currencies: string[]): void {
  const newestFirst = [...windows].reverse();
  byId('windows').replaceChildren(
    windows.length === 0
      ? el('p', { class: 'note' }, 'No summaries in the range yet.')
      : table(
          'Every window in the range, newest first',
          [
            'Window (UTC)',
            'Status',
            'Impressions',
            'Clicks',
            'Conversions',
            'CTR',
            ...currencies.map((c) => `Revenue ${c}`),
            'Page views',
            'Late events',
          ],
          newestFirst.map((w) => [
            formatUtc(Date.parse(w.window_start)),
            w.final ? 'final' : 'provisional',
            formatCount(w.impressions),
            formatCount(w.clicks),
            formatCount(w.conversions),
            formatRate(w.ctr),
            ...currencies.map((c) => formatAmount(w.revenue_by_currency[c] ?? 0)),
            formatCount(w.pageviews),
            formatCount(w.late_events),
          ]),
          {
            numeric: [false, false, true, true, true, true, ...currencies.map(() => true), true, true],
            rowClass: (i) => (newestFirst[i]!.final ? undefined : 'provisional'),
          },
        ),
  );
}

function showError(message: string | undefined): void {
  errorBox.hidden = message === undefined;
  errorBox.textContent = message ?? '';
}

function rememberInUrl(advertiserId: string): void {
  const url = new URL(location.href);
  url.searchParams.set('advertiser', advertiserId);
  history.replaceState(null, '', url);
}

async function start(): Promise<void> {
  const now = Date.now();
  fromInput.value = toUtcInputValue(now - 24 * 3600_000);
  toInput.value = toUtcInputValue(now + 60_000);
  try {
    const advertisers = await fetchAdvertisers();
    advertiserSelect.replaceChildren(...advertisers.map((id) => el('option', { value: id }, id)));
    if (advertisers.length === 0) {
      showError('No advertiser has summaries yet: send events to the endpoint, then reload.');
      return;
    }
    const wanted = new URL(location.href).searchParams.get('advertiser');
    if (wanted !== null && advertisers.includes(wanted)) advertiserSelect.value = wanted;
    await load();
  } catch (error) {
    showError(errorMessage(error));
  }
}

advertiserSelect.addEventListener('change', () => void load());
controls.addEventListener('change', (event) => {
  const target = event.target;
  if (!(target instanceof HTMLInputElement) || target.name !== 'range') return;
  customFields.hidden = target.value !== 'custom';
  // A preset applies at once; a custom range when its button is pressed (or Enter in a field). The
  // focus stays on the radio, so arrow keys keep moving through the presets.
  if (target.value !== 'custom') void load();
});
controls.addEventListener('submit', (event) => {
  event.preventDefault();
  void load();
});
void start();
