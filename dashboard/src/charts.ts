import {
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  type ScriptableLineSegmentContext,
  Tooltip,
} from 'chart.js';
import { el } from './dom';
import { formatTick, formatUtc } from './format';
import { type Summary, WINDOW_MS } from './summary';

// Only the parts of Chart.js the line charts use, so the bundle keeps only those.
Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);
Chart.defaults.font.family =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
Chart.defaults.color = '#1f2933';

/** One value per window, or null where the window has no value (no impressions for a rate). */
export type Metric = (w: Summary) => number | null;

export interface SeriesSpec {
  label: string;
  value: Metric;
}

export interface ChartSpec {
  title: string;
  /** One series per line (one per currency for revenue). */
  series: SeriesSpec[];
  format: (value: number) => string;
  /** Counts: no fractional ticks on the value axis. */
  integer?: boolean;
}

// Colours with at least 4.5:1 contrast on white; lines also differ by dash and point shape.
const COLOURS = ['#1d4ed8', '#b45309', '#047857', '#7e22ce', '#be123c', '#0f766e'];
const POINT_STYLES = ['circle', 'rect', 'triangle', 'rectRot', 'star', 'crossRot'] as const;

interface Point {
  x: number;
  y: number | null;
}

/**
 * A line chart over the range, one point per stored window. Provisional windows are drawn with
 * hollow points and dashed segments; windows without a summary break the line (no summary is not
 * the same as zero).
 */
export class WindowChart {
  readonly figure: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly chart: Chart<'line', Point[]>;
  private provisional = new Set<number>();

  constructor(private spec: ChartSpec) {
    const id = `chart-${spec.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    this.canvas = el('canvas', { role: 'img', 'aria-describedby': `${id}-caption` });
    this.figure = el(
      'figure',
      { class: 'chart', id },
      el('figcaption', { id: `${id}-caption` }, spec.title),
      el('div', { class: 'chart-box' }, this.canvas),
    );
    const provisional = this.provisional;
    const isProvisional = (x: number | undefined) => x !== undefined && provisional.has(x);
    this.chart = new Chart(this.canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: {
            type: 'linear',
            // Ticks on whole UTC hours and days rather than wherever the range starts.
            afterBuildTicks: (scale) => {
              const step = tickStep(scale.max - scale.min);
              const ticks = [];
              for (let t = Math.ceil(scale.min / step) * step; t <= scale.max; t += step)
                ticks.push({ value: t });
              scale.ticks = ticks;
            },
            ticks: { callback: (value) => formatTick(Number(value), this.spansDays()) },
          },
          y: {
            beginAtZero: true,
            ticks: {
              precision: spec.integer ? 0 : undefined,
              callback: (value) => spec.format(Number(value)),
            },
          },
        },
        plugins: {
          legend: { display: spec.series.length > 1, labels: { usePointStyle: true } },
          tooltip: {
            callbacks: {
              title: (items) => {
                const x = items[0]?.parsed.x;
                if (x === undefined || x === null) return '';
                return `${formatUtc(x)} UTC${isProvisional(x) ? ' (provisional)' : ' (final)'}`;
              },
              label: (item) => `${item.dataset.label}: ${spec.format(Number(item.parsed.y))}`,
            },
          },
        },
        elements: { line: { borderWidth: 2 }, point: { radius: 3, hoverRadius: 5 } },
      },
    });
  }

  /** Redraws with these windows; `series` replaces the spec's (revenue has one per currency seen). */
  update(windows: readonly Summary[], range: { from: number; to: number }, series?: SeriesSpec[]): void {
    if (series !== undefined) this.spec = { ...this.spec, series };
    const legend = this.chart.options.plugins?.legend;
    if (legend !== undefined) legend.display = this.spec.series.length > 1;
    this.provisional.clear();
    for (const w of windows) if (!w.final) this.provisional.add(Date.parse(w.window_start));
    const provisional = this.provisional;
    const hollow = (x: number) => (provisional.has(x) ? '#ffffff' : undefined);
    const dashed = (context: ScriptableLineSegmentContext) =>
      provisional.has(context.p1.parsed.x ?? Number.NaN) ? [6, 4] : undefined;
    this.chart.data.datasets = this.spec.series.map((series, i): ChartDataset<'line', Point[]> => {
      const colour = COLOURS[i % COLOURS.length]!;
      const data = withGaps(windows, series.value);
      return {
        label: series.label,
        data,
        borderColor: colour,
        backgroundColor: colour,
        pointStyle: POINT_STYLES[i % POINT_STYLES.length],
        pointBackgroundColor: data.map((p) => hollow(p.x) ?? colour),
        pointBorderColor: colour,
        borderDash: i === 0 ? [] : [2, 2],
        segment: { borderDash: dashed },
        spanGaps: false,
      };
    });
    const x = this.chart.options.scales?.x;
    if (x !== undefined) {
      x.min = range.from;
      x.max = Math.max(range.from, range.to - WINDOW_MS);
    }
    this.chart.update('none');
    this.canvas.setAttribute('aria-label', this.describe(windows));
  }

  private spansDays(): boolean {
    const x = this.chart?.scales.x;
    return x !== undefined && x.max - x.min > 24 * 3600_000;
  }

  /** The chart in words, for screen readers; the windows table holds every value. */
  private describe(windows: readonly Summary[]): string {
    if (windows.length === 0) return `${this.spec.title}: no windows in the range.`;
    const parts = this.spec.series.map((series) => {
      const values = windows.map(series.value).filter((v): v is number => v !== null);
      if (values.length === 0) return `${series.label}: no values`;
      return `${series.label}: lowest ${this.spec.format(Math.min(...values))}, highest ${this.spec.format(Math.max(...values))}`;
    });
    return `${this.spec.title}, ${windows.length} windows: ${parts.join('; ')}. Every value is in the windows table.`;
  }
}

const TICK_STEPS = [0.25, 0.5, 1, 2, 3, 6, 12, 24, 48, 168].map((hours) => hours * 3_600_000);

/** The smallest round step that puts at most 8 ticks on the axis. */
function tickStep(span: number): number {
  return TICK_STEPS.find((step) => span / step <= 8) ?? TICK_STEPS.at(-1)!;
}

/** Points at each window start, with a null point in each run of missing windows to break the line. */
function withGaps(windows: readonly Summary[], value: Metric): Point[] {
  const points: Point[] = [];
  let previous: number | undefined;
  for (const w of windows) {
    const x = Date.parse(w.window_start);
    if (previous !== undefined && x - previous > WINDOW_MS) points.push({ x: previous + WINDOW_MS, y: null });
    points.push({ x, y: value(w) });
    previous = x;
  }
  return points;
}
