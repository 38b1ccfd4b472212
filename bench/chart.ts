/**
 * The README's picture: two bar panels drawn from one run's results, the latency each contender
 * adds to a non-streaming request over the direct call (p50), and its 1,000-chunk stream time as a
 * multiple of the direct call's. Plain SVG text, no dependency: the figures are a handful of bars.
 */
import type { ContenderName } from './contenders';
import type { BenchResults, ContenderFigures, RequestMeasure } from './results';

const SHORT: Partial<Record<ContenderName, string>> = {
  router: 'BYOK Router (in process)',
  endpoint: 'BYOK Router local endpoint',
  hop: 'bare node:http hop',
  relay: 'TCP relay (no HTTP)',
  openai: 'openai SDK',
  'ai-sdk': 'Vercel AI SDK',
  portkey: 'Portkey gateway',
};
const ORDER: ContenderName[] = ['router', 'endpoint', 'hop', 'relay', 'openai', 'ai-sdk', 'portkey'];
const OURS = new Set<ContenderName>(['router', 'endpoint']);

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Bar {
  label: string;
  value: number;
  text: string;
  ours: boolean;
}

function bars(m: RequestMeasure | undefined, pick: (f: ContenderFigures) => number | undefined, fmt: (x: number) => string): Bar[] {
  if (!m) return [];
  const out: Bar[] = [];
  for (const name of ORDER) {
    const f = m.contenders[name];
    const v = f && pick(f);
    if (v === undefined || !Number.isFinite(v)) continue;
    out.push({ label: SHORT[name] ?? name, value: v, text: fmt(v), ours: OURS.has(name) });
  }
  return out;
}

/** One panel: a title, then a bar per contender on a log scale (the peers span two orders of magnitude). */
function panel(title: string, rows: Bar[], y0: number, floor: number): { svg: string; height: number } {
  const left = 210;
  const width = 360;
  const rowH = 22;
  const parts = [`<text x="10" y="${y0 + 16}" font-weight="bold">${esc(title)}</text>`];
  const max = Math.max(floor * 10, ...rows.map((r) => r.value));
  const scale = (v: number) => (Math.log10(Math.max(v, floor) / floor) / Math.log10(max / floor)) * width;
  rows.forEach((r, i) => {
    const y = y0 + 28 + i * rowH;
    const w = Math.max(2, scale(r.value));
    parts.push(
      `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${esc(r.label)}</text>`,
      `<rect x="${left}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${r.ours ? '#2f7d32' : '#8a8f98'}"/>`,
      `<text x="${(left + w + 6).toFixed(1)}" y="${y + 14}">${esc(r.text)}</text>`,
    );
  });
  return { svg: parts.join('\n'), height: 36 + rows.length * rowH };
}

export function benchChart(r: BenchResults): string {
  const added = bars(
    r.measures.nonStreaming as RequestMeasure | undefined,
    (f) => f.addedP50,
    (x) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)} ms`,
  );
  const ratio = bars(
    r.measures.longStream as RequestMeasure | undefined,
    (f) => f.ratio,
    (x) => `${x.toFixed(2)}×`,
  );
  const chunks = (r.measures.longStream as RequestMeasure | undefined)?.chunks ?? 1000;
  const a = panel('Added latency, non-streaming request (p50 over a direct undici call; log scale)', added, 30, 0.01);
  const b = panel(
    `${chunks.toLocaleString('en')}-chunk stream time ÷ direct call that parses each chunk (p50; log scale from 1×)`,
    ratio,
    30 + a.height + 12,
    1,
  );
  const height = 30 + a.height + 12 + b.height + 20;
  const m = r.machine;
  const caption = `npm run bench, ${m.date.slice(0, 10)}, Node ${m.node}, ${m.cores} × ${m.cpu}, 1-minute load ${m.loadAverage} at the start${r.quick ? ' (quick smoke run)' : ''}`;
  // Bars start at the floor (0.01 ms, 1×): a value at or below it shows as a sliver, its figure beside it.
  return `<svg xmlns="http://www.w3.org/2000/svg" width="720" height="${height}" viewBox="0 0 720 ${height}" font-family="system-ui, sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="10" y="18" fill="#555">${esc(caption)}</text>
${a.svg}
${b.svg}
</svg>
`;
}
