import type { ActivityBucket } from './api.js';
import { h, svg } from './dom.js';

export interface HourBar {
  start: Date;
  ok: number;
  refused: number;
}

/** Buckets per minute → 24 hourly bars ending at `to` (calls answered 2xx/3xx vs refused 4xx/5xx). */
export function hourlyBars(buckets: ActivityBucket[], to: Date, hours = 24): HourBar[] {
  const end = Math.ceil(to.getTime() / 3600_000) * 3600_000;
  const bars: HourBar[] = [];
  for (let i = hours - 1; i >= 0; i--) bars.push({ start: new Date(end - (i + 1) * 3600_000), ok: 0, refused: 0 });
  for (const bucket of buckets) {
    const t = Date.parse(bucket.minute);
    const index = Math.floor((t - (end - hours * 3600_000)) / 3600_000);
    const bar = bars[index];
    if (!bar) continue;
    if (bucket.status < 400) bar.ok += bucket.count;
    else bar.refused += bucket.count;
  }
  return bars;
}

/**
 * A small SVG bar chart: each hour one bar, answered calls solid, refused calls hatched (told apart
 * by pattern, not only colour), with a text alternative and a data table for screen readers.
 */
export function usageChart(bars: HourBar[], label: string): HTMLElement {
  const width = 480;
  const height = 120;
  const pad = 18;
  const max = Math.max(1, ...bars.map((b) => b.ok + b.refused));
  const barWidth = (width - pad) / bars.length;
  const patternId = `hatch-${Math.random().toString(36).slice(2, 8)}`;
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${width} ${height + pad}`, role: 'img', 'aria-label': label, class: 'chart' },
    svg('defs', {}, svg('pattern', { id: patternId, width: 4, height: 4, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, svg('rect', { width: 2, height: 4, class: 'hatch' }))),
    svg('line', { x1: pad, y1: height, x2: width, y2: height, class: 'axis' }),
    svg('text', { x: 0, y: 10, class: 'tick' }, String(max)),
    svg('text', { x: 0, y: height, class: 'tick' }, '0'),
  );
  bars.forEach((bar, i) => {
    const x = pad + i * barWidth + 1;
    const okH = (bar.ok / max) * (height - 4);
    const refusedH = (bar.refused / max) * (height - 4);
    const hour = bar.start.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    const title = svg('title', {}, `${hour}: ${bar.ok} answered, ${bar.refused} refused`);
    chart.appendChild(svg('g', {}, title, svg('rect', { x, y: height - okH, width: barWidth - 2, height: okH, class: 'bar-ok' }), svg('rect', { x, y: height - okH - refusedH, width: barWidth - 2, height: refusedH, fill: `url(#${patternId})`, class: 'bar-refused' })));
    if (i % 6 === 0) chart.appendChild(svg('text', { x, y: height + 14, class: 'tick' }, hour));
  });
  return h('figure', { class: 'usage-chart' }, chart, h('figcaption', {}, 'Calls per hour, last 24 hours. Solid: answered. Hatched: refused (4xx/5xx).'));
}

/** Per route and status, the totals as a table (the chart's text alternative). */
export function usageTable(buckets: ActivityBucket[]): HTMLElement {
  const totals = new Map<string, { method: string; route: string; status: number; count: number }>();
  for (const b of buckets) {
    const key = `${b.method} ${b.route} ${b.status}`;
    const row = totals.get(key) ?? { method: b.method, route: b.route, status: b.status, count: 0 };
    row.count += b.count;
    totals.set(key, row);
  }
  const rows = [...totals.values()].sort((a, b) => b.count - a.count);
  if (rows.length === 0) return h('p', {}, 'No calls in the last 24 hours.');
  return h(
    'table',
    { class: 'table' },
    h('caption', {}, 'Calls by route and status, last 24 hours'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Method'), h('th', { scope: 'col' }, 'Route'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Calls'))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, h('td', {}, r.method), h('td', { class: 'mono' }, r.route), h('td', {}, String(r.status)), h('td', {}, String(r.count))))),
  );
}
