// Line charts of timelines on uPlot (small, fast, canvas): one x axis of period starts (UTC
// days), one series per query or side. Resizes with its container.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h, n, pct } from './util';

export const palette = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#db2777'];

export interface Series {
  label: string;
  values: (number | null)[];
}

export function lineChart(
  xs: number[],
  series: Series[],
  opts: { share: boolean; by: string; title: string },
): HTMLElement {
  const box = h('div', { class: 'chart', role: 'img', 'aria-label': opts.title });
  const fmtY = (v: number) => (opts.share ? pct(v, v < 0.01 ? 2 : 1) : n(v));
  const fmtX = (ts: number) => {
    const d = new Date(ts * 1000);
    const y = d.getUTCFullYear(), m = String(d.getUTCMonth() + 1).padStart(2, '0');
    const dd = String(d.getUTCDate()).padStart(2, '0');
    return opts.by === 'year' ? `${y}` : opts.by === 'month' ? `${y}-${m}` : `${y}-${m}-${dd}`;
  };
  const bars = xs.length <= 2;
  const uopts: uPlot.Options = {
    width: 800,
    height: 340,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    cursor: { drag: { x: true, y: false }, focus: { prox: 24 } },
    legend: { live: true },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } },
    axes: [
      { stroke: '#4b5563', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#d1d5db' } },
      {
        stroke: '#4b5563',
        grid: { stroke: '#eef0f3' },
        ticks: { stroke: '#d1d5db' },
        size: 64,
        values: (_u, vals) => vals.map((v) => (v === null ? '' : fmtY(v))),
      },
    ],
    series: [
      { label: 'Period', value: (_u, v) => (v === null ? '—' : fmtX(v)) },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: palette[i % palette.length],
        width: 2,
        fill: series.length === 1 ? palette[0] + '14' : undefined,
        points: { show: bars || xs.length < 40, size: 5 },
        value: (_u: uPlot, v: number | null) => (v === null ? '—' : fmtY(v)),
      })),
    ],
  };
  const data: uPlot.AlignedData = [xs, ...series.map((s) => s.values)];
  const plot = new uPlot(uopts, data, box);
  const ro = new ResizeObserver(() => {
    const w = Math.max(320, Math.floor(box.clientWidth));
    if (Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height: 340 });
  });
  ro.observe(box);
  return box;
}
