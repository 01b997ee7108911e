/// <reference lib="dom" />
import { h, s } from './dom.ts';

/** Colour-blind-safe palette (Okabe-Ito). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

export type Series = { name: string; points: Array<{ x: number; y: number }> };

const WIDTH = 420;
const HEIGHT = 200;
const PAD = { left: 44, right: 10, top: 10, bottom: 24 };

function ticks(min: number, max: number, count: number): number[] {
  if (min === max) return [min];
  const step = (max - min) / (count - 1);
  return Array.from({ length: count }, (_, index) => min + step * index);
}

/** A tick label with just enough decimals to tell ticks `step` apart. */
function tickLabel(value: number, step: number): string {
  if (Math.abs(value) >= 10_000) return `${(value / 1000).toFixed(0)}k`;
  const decimals = step > 0 ? Math.min(6, Math.max(0, Math.ceil(-Math.log10(step)) + 1)) : 2;
  return value.toFixed(Number.isInteger(value) && step >= 1 ? 0 : decimals);
}

function extent(values: number[]): [number, number] {
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (min === max) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.05 : 0.5;
    min -= pad;
    max += pad;
  }
  return [min, max];
}

/**
 * A line chart as inline SVG: one polyline per series, min/max-scaled axes, a legend.
 * `formatX` renders x tick labels (steps by default, dates for sweeps).
 */
export function lineChart(options: {
  title: string;
  series: Series[];
  formatX?: (x: number) => string;
}): HTMLElement {
  const points = options.series.flatMap((series) => series.points);
  const figure = h('figure', { class: 'chart', 'data-chart': options.title }, h('figcaption', {}, options.title));
  if (points.length === 0) {
    figure.append(h('p', { class: 'muted' }, 'no data yet'));
    return figure;
  }
  const [xMin, xMax] = extent(points.map((point) => point.x));
  const [yMin, yMax] = extent(points.map((point) => point.y));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const xOf = (x: number) => PAD.left + ((x - xMin) / (xMax - xMin)) * plotWidth;
  const yOf = (y: number) => PAD.top + (1 - (y - yMin) / (yMax - yMin)) * plotHeight;
  const xStep = (xMax - xMin) / 3;
  const yStep = (yMax - yMin) / 3;
  const formatX = options.formatX ?? ((x: number) => tickLabel(x, xStep));
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart-svg', role: 'img' });
  for (const y of ticks(yMin, yMax, 4)) {
    svg.append(
      s('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: yOf(y), y2: yOf(y), class: 'grid' }),
      s('text', { x: PAD.left - 4, y: yOf(y) + 3, 'text-anchor': 'end', class: 'tick' }, tickLabel(y, yStep)),
    );
  }
  for (const x of ticks(xMin, xMax, 4)) {
    svg.append(s('text', { x: xOf(x), y: HEIGHT - 6, 'text-anchor': 'middle', class: 'tick' }, formatX(x)));
  }
  options.series.forEach((series, index) => {
    const color = PALETTE[index % PALETTE.length] ?? '#000';
    const sorted = [...series.points].sort((a, b) => a.x - b.x);
    const path = sorted.map((point) => `${xOf(point.x).toFixed(1)},${yOf(point.y).toFixed(1)}`).join(' ');
    svg.append(s('polyline', { points: path, fill: 'none', stroke: color, 'stroke-width': 1.8 }));
    if (sorted.length === 1 && sorted[0]) {
      svg.append(s('circle', { cx: xOf(sorted[0].x), cy: yOf(sorted[0].y), r: 3, fill: color }));
    }
  });
  figure.append(svg, legend(options.series.map((series) => series.name)));
  return figure;
}

function legend(names: string[]): HTMLElement {
  return h(
    'div',
    { class: 'legend' },
    ...names.map((name, index) =>
      h('span', {}, h('i', { style: `background:${PALETTE[index % PALETTE.length]}` }), name),
    ),
  );
}

/** Grouped horizontal bars: one group per label, one bar per series, values in [0, max]. */
export function barChart(options: {
  title: string;
  labels: string[];
  series: Array<{ name: string; values: Array<number | null> }>;
}): HTMLElement {
  const max = Math.max(1e-9, ...options.series.flatMap((series) => series.values.map((v) => v ?? 0)));
  const barHeight = 10;
  const groupHeight = options.series.length * barHeight + 8;
  const height = options.labels.length * groupHeight + 10;
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${height}`, class: 'chart-svg', role: 'img' });
  options.labels.forEach((label, group) => {
    const top = 5 + group * groupHeight;
    svg.append(s('text', { x: 90, y: top + groupHeight / 2, 'text-anchor': 'end', class: 'tick' }, label));
    options.series.forEach((series, index) => {
      const value = series.values[group] ?? 0;
      const width = (value / max) * (WIDTH - 150);
      const y = top + index * barHeight;
      svg.append(
        s('rect', { x: 96, y, width: Math.max(0.5, width), height: barHeight - 2, fill: PALETTE[index % PALETTE.length] ?? '#000' }),
        s('text', { x: 100 + width, y: y + barHeight - 3, class: 'tick' }, value.toFixed(3)),
      );
    });
  });
  return h(
    'figure',
    { class: 'chart bars', 'data-chart': options.title },
    h('figcaption', {}, options.title),
    svg,
    legend(options.series.map((series) => series.name)),
  );
}
