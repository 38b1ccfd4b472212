/**
 * Requests or spend per day, stacked by the provider that served them, drawn as SVG in the
 * theme's chart colours, with the same numbers as a table for screen readers.
 */
import type { DayBucket } from '../../protocol/activity';
import { h } from '../shared/dom';
import { usd } from '../shared/format';

const SVG = 'http://www.w3.org/2000/svg';
/** Theme chart colours by position; `failed` and `pooled` always get their own. */
const PALETTE = ['blue', 'green', 'orange', 'yellow', 'purple', 'red'];

function svg(tag: string, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

export function colorOf(series: string, all: readonly string[]): string {
  if (series === 'failed') return 'red';
  if (series === 'pooled') return 'purple';
  const own = all.filter((s) => s !== 'failed' && s !== 'pooled');
  return PALETTE.filter((c) => c !== 'red' && c !== 'purple')[own.indexOf(series) % 4] ?? 'blue';
}

export function chart(days: readonly DayBucket[], metric: 'requests' | 'cost', by = 'provider'): HTMLElement {
  const series = [...new Set(days.flatMap((d) => Object.keys(d.byProvider)))].sort((a, b) => (a === 'failed' ? 1 : b === 'failed' ? -1 : a.localeCompare(b)));
  const value = (d: DayBucket, s: string) => (metric === 'requests' ? (d.byProvider[s]?.requests ?? 0) : (d.byProvider[s]?.cost ?? 0));
  const totals = days.map((d) => series.reduce((sum, s) => sum + value(d, s), 0));
  const max = Math.max(0, ...totals);
  const fmt = (n: number) => (metric === 'requests' ? String(n) : usd(n));
  if (!days.length || max === 0)
    return h('p', { class: 'hint empty-chart' }, metric === 'requests' ? 'No requests in this range.' : 'No spend recorded in this range.');

  const W = 300;
  const H = 120;
  const pad = { l: 4, r: 4, t: 14, b: 16 };
  const slot = (W - pad.l - pad.r) / days.length;
  const bar = Math.max(1, slot * 0.72);
  const scale = (H - pad.t - pad.b) / max;
  const g = svg('g', {});
  days.forEach((d, i) => {
    let y = H - pad.b;
    for (const s of series) {
      const v = value(d, s);
      if (!v) continue;
      const hgt = Math.max(1, v * scale);
      y -= hgt;
      g.appendChild(
        svg(
          'rect',
          {
            x: (pad.l + i * slot + (slot - bar) / 2).toFixed(2),
            y: y.toFixed(2),
            width: bar.toFixed(2),
            height: hgt.toFixed(2),
            class: `bar c-${colorOf(s, series)}`,
          },
          svg('title', {}, `${d.day} · ${s}: ${fmt(v)}`),
        ),
      );
    }
  });
  const axis = svg('line', { x1: pad.l, x2: W - pad.r, y1: H - pad.b, y2: H - pad.b, class: 'axis' });
  const labels = [
    svg('text', { x: pad.l, y: H - 3, class: 'tick' }, days[0]!.day.slice(5)),
    svg('text', { x: W - pad.r, y: H - 3, class: 'tick', 'text-anchor': 'end' }, days[days.length - 1]!.day.slice(5)),
    svg('text', { x: pad.l, y: 10, class: 'tick' }, `max ${fmt(max)}/day`),
  ];
  const total = totals.reduce((a, b) => a + b, 0);
  const picture = svg(
    'svg',
    {
      viewBox: `0 0 ${W} ${H}`,
      class: 'chart',
      role: 'img',
      'aria-label': `${metric === 'requests' ? 'Requests' : 'Spend'} per day by ${by}, ${days[0]!.day} to ${days[days.length - 1]!.day}: ${fmt(total)} in all`,
    },
    g,
    axis,
    ...labels,
  );

  const legend = h(
    'ul',
    { class: 'legend', 'aria-hidden': 'true', 'data-fid': 'legend' },
    series.map((s) => h('li', null, h('span', { class: `swatch c-${colorOf(s, series)}` }), ` ${s} ${fmt(days.reduce((sum, d) => sum + value(d, s), 0))}`)),
  );
  const table = h(
    'table',
    { class: 'sr-only' },
    h('caption', null, `${metric === 'requests' ? 'Requests' : 'Spend'} per day by ${by}`),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, 'Day'),
        series.map((s) => h('th', { scope: 'col' }, s)),
      ),
    ),
    h(
      'tbody',
      null,
      days
        .filter((_, i) => totals[i])
        .map((d) =>
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, d.day),
            series.map((s) => h('td', null, fmt(value(d, s)))),
          ),
        ),
    ),
  );
  return h('div', { class: 'chart-wrap' }, picture as unknown as HTMLElement, legend, table);
}
