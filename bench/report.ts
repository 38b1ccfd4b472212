/** The results as the markdown table that goes into the README. */
import type { ContenderName } from './contenders';
import {
  MEASURES,
  measureRow,
  type BenchResults,
  type ContenderFigures,
  type FamilyFigures,
  type RequestMeasure,
  type ThroughputFigures,
  type ThroughputMeasure,
} from './results';

const PEERS: ContenderName[] = ['openai', 'ai-sdk', 'portkey'];
const HEAD = '| # | measure | target | direct call (floor) | BYOK Router | openai SDK | Vercel AI SDK | Portkey gateway | met |';

const n = (x: number | undefined, digits = 2) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));
const plus = (x: number | undefined, digits = 2) => (x === undefined || !Number.isFinite(x) ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`);
const mark = (met: boolean | null | undefined) => (met === true ? '✅' : met === false ? '❌' : '—');
const kilo = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const cpu = (f: ContenderFigures | undefined, added = true) =>
  f?.cpuMs === undefined ? '' : added && f.addedCpuMs !== undefined ? `; CPU ${plus(f.addedCpuMs, 3)} ms` : ` (CPU ${n(f.cpuMs, 3)} ms)`;
const rate = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${Math.round(x / 1000)}k`);

function cpuRatio(f: ContenderFigures | undefined, d: ContenderFigures): string {
  return f?.cpuMs === undefined || d.cpuMs === undefined ? '' : `; CPU ${n(f.cpuMs / d.cpuMs)}×`;
}

function row(cells: string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

function peerCells(m: RequestMeasure, cell: (f: ContenderFigures) => string): string[] {
  return PEERS.map((p) => {
    const f = m.contenders[p];
    if (f) return cell(f);
    return m.unavailable.some((u) => u.contender === p) ? 'failed (see notes)' : 'not run';
  });
}

/** The endpoint beside the direct call and Portkey's gateway, the other thing a client can be pointed at. */
function endpointRow(
  id: string,
  what: string,
  m: RequestMeasure,
  cell: (f: ContenderFigures) => string,
  figure: (f: ContenderFigures) => number | undefined,
): string {
  const e = m.contenders.endpoint!;
  const d = m.contenders.direct!;
  const pk = m.contenders.portkey;
  const isLatency = id === '1e';
  const met = isLatency ? (e.addedP50 ?? Infinity) <= 0.3 && (!pk || figure(e)! < figure(pk)!) : !pk || figure(e)! < figure(pk)!;
  return row([
    id,
    what,
    isLatency ? 'p50 ≤ 0.3 ms; below Portkey' : 'below Portkey',
    isLatency ? `${n(d.ms.p50, 3)} / ${n(d.ms.p99, 3)} ms` : `${n(d.ms.p50, 1)} ms (1.00×)`,
    cell(e),
    'n/a',
    'n/a',
    pk ? cell(pk) : m.unavailable.some((u) => u.contender === 'portkey') ? 'failed (see notes)' : 'not run',
    mark(met),
  ]);
}

function throughputRows(t: ThroughputMeasure): string[] {
  const rates = (f: ThroughputFigures | undefined, ratio = true) =>
    !f
      ? 'not run'
      : `${f.requestsPerSecond} req/s${ratio ? ` (${n(f.requestsRatio)}×)` : ''}; ${f.streamsPerSecond} streams/s${ratio ? ` (${n(f.streamsRatio)}×)` : ''}`;
  const peer = (p: ContenderName) =>
    t.contenders[p] ? rates(t.contenders[p]) : t.unavailable.some((u) => u.contender === p) ? 'failed (see notes)' : 'not run';
  const what = `throughput at concurrency ${t.concurrency} (requests; ${t.streamChunks}-chunk streams)`;
  const out = [row(['9', what, t.target, rates(t.contenders.direct, false), rates(t.contenders.router), ...PEERS.map(peer), mark(t.met)])];
  const e = t.contenders.endpoint;
  if (e) out.push(row(['9e', `local endpoint: ${what}`, 'beside Portkey', rates(t.contenders.direct, false), rates(e), 'n/a', 'n/a', peer('portkey'), '—']));
  return out;
}

export function markdownTable(r: BenchResults): string {
  const lines = [HEAD, '| --- | --- | --- | --- | --- | --- | --- | --- | --- |'];
  const m = r.measures;
  if (m.nonStreaming) {
    const d = m.nonStreaming.contenders.direct!;
    lines.push(
      row([
        '1',
        'added latency per non-streaming request (p50 / p99)',
        m.nonStreaming.target,
        `${n(d.ms.p50, 3)} / ${n(d.ms.p99, 3)} ms${cpu(d, false)}`,
        `${plus(m.nonStreaming.contenders.router!.addedP50, 3)} / ${plus(m.nonStreaming.contenders.router!.addedP99, 3)} ms${cpu(m.nonStreaming.contenders.router)}`,
        ...peerCells(m.nonStreaming, (f) => `${plus(f.addedP50)} / ${plus(f.addedP99)} ms${cpu(f)}`),
        mark(m.nonStreaming.met),
      ]),
    );
  }
  if (m.nonStreaming?.contenders.endpoint)
    lines.push(
      endpointRow(
        '1e',
        'local endpoint: added latency per non-streaming request (p50 / p99)',
        m.nonStreaming,
        (f) => `${plus(f.addedP50, 3)} / ${plus(f.addedP99, 3)} ms${cpu(f)}`,
        (f) => f.addedP50,
      ),
    );
  if (m.firstToken) {
    const d = m.firstToken.contenders.direct!;
    lines.push(
      row([
        '2',
        'time to first token added (p50)',
        m.firstToken.target,
        `${n(d.ms.p50, 3)} ms${cpu(d, false)}`,
        `${plus(m.firstToken.contenders.router!.addedP50, 3)} ms${cpu(m.firstToken.contenders.router)}`,
        ...peerCells(m.firstToken, (f) => `${plus(f.addedP50)} ms${cpu(f)}`),
        mark(m.firstToken.met),
      ]),
    );
  }
  if (m.longStream) {
    const d = m.longStream.contenders.direct!;
    lines.push(
      row([
        '3',
        `${(m.longStream.chunks ?? 1000).toLocaleString('en')}-chunk stream time / direct (p50)`,
        m.longStream.target,
        `${n(d.ms.p50, 1)} ms (1.00×)${cpu(d, false)}`,
        `${n(m.longStream.contenders.router!.ratio, 3)}×${cpuRatio(m.longStream.contenders.router, d)}`,
        ...peerCells(m.longStream, (f) => `${n(f.ratio)}×${cpuRatio(f, d)}`),
        mark(m.longStream.met),
      ]),
    );
  }
  if (m.longStream?.contenders.endpoint)
    lines.push(
      endpointRow(
        '3e',
        `local endpoint: ${(m.longStream.chunks ?? 1000).toLocaleString('en')}-chunk stream time / direct (p50)`,
        m.longStream,
        (f) => `${n(f.ratio, 3)}×${cpuRatio(f, m.longStream!.contenders.direct!)}`,
        (f) => f.ratio,
      ),
    );
  if (m.families) {
    const fam = Object.entries(m.families.families);
    const ours = fam
      .map(([k, v]) => {
        if ('missing' in v) return `${k}: missing`;
        const f = v as FamilyFigures;
        return `${k} ${rate(f.bestChunksPerSecond)}/s (median ${rate(f.chunksPerSecond)}/s)`;
      })
      .join('; ');
    const floor = fam
      .filter(([, v]) => !('missing' in v) && (v as FamilyFigures).parseFloorChunksPerSecond)
      .map(([k, v]) => `${k} ${rate((v as FamilyFigures).parseFloorChunksPerSecond!)}/s`)
      .join('; ');
    lines.push(
      row([
        '4',
        'stream transform throughput per family',
        m.families.target,
        `SSE + JSON.parse only: ${floor}`,
        ours,
        'n/a',
        'n/a',
        'n/a',
        mark(m.families.met),
      ]),
    );
  }
  if (m.failover) {
    const f = m.failover;
    const pk = f.portkey
      ? 'unavailable' in f.portkey
        ? `failed: ${f.portkey.unavailable}`
        : `${plus(f.portkey.p50 - f.direct.p50)} ms p50; a 429ing target got ${f.cooldown.portkeyRequestsToLimitedTarget ?? '—'} of ${f.cooldown.requestsAfter429} requests`
      : 'not run';
    lines.push(
      row([
        '5',
        'router time from a 429 to the next route’s request (p50 / p99); requests to a key in cooldown',
        f.target,
        `span ${n(f.direct.p50, 3)} / ${n(f.direct.p99, 3)} ms`,
        `${plus(f.routerAddedP50, 3)} / ${plus(f.routerAddedP99, 3)} ms; cooling key got ${f.cooldown.requestsToLimitedKey} of ${f.cooldown.requestsAfter429}`,
        'no fallback',
        'no fallback',
        pk,
        mark(f.met),
      ]),
    );
  }
  if (m.plan) {
    const p = m.plan;
    lines.push(
      row([
        '6',
        `plan computation, ${p.keys.toLocaleString('en')} keys × ${p.callers} callers (p50 / p99)`,
        p.target,
        '—',
        `${n(p.ms.p50, 3)} / ${n(p.ms.p99, 3)} ms`,
        'n/a',
        'n/a',
        'n/a',
        mark(p.met),
      ]),
    );
  }
  if (m.concurrency) {
    const c = m.concurrency;
    const left = Object.keys(c.leftoverAfterClose).length
      ? Object.entries(c.leftoverAfterClose)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')
      : 'nothing';
    lines.push(
      row([
        '7',
        `${c.streams} concurrent streams through the router`,
        c.target,
        '—',
        `${c.completed}/${c.streams} complete in ${c.wallMs} ms; RSS ${c.rssBeforeMiB} → peak ${c.rssPeakMiB} MiB (+${n(c.rssPeakMiB - c.rssBeforeMiB, 1)}), ${c.rssAfterMiB} MiB after close; left after close: ${left}`,
        'n/a',
        'n/a',
        'n/a',
        mark(c.met),
      ]),
    );
  }
  if (m.bundle) {
    const b = m.bundle;
    const files = Object.entries(b.files)
      .map(([f, v]) =>
        'missing' in v
          ? `${f}: ${v.missing}`
          : `${f} ${kilo(v.bytes)}${v.minifiedBytes ? ` (minified ${kilo(v.minifiedBytes)}, gzip ${kilo(v.minifiedGzipBytes!)})` : ''}`,
      )
      .join('; ');
    const act = b.activationMs === null ? 'activation: measured in the real host (pending)' : `activation ${b.activationMs} ms`;
    lines.push(row(['8', 'bundle sizes; extension activation in the real host', b.target, '—', `${files}; ${act}`, 'n/a', 'n/a', 'n/a', mark(b.met)]));
  }
  if (m.throughput) lines.push(...throughputRows(m.throughput));
  return lines.join('\n');
}

export function markdownReport(r: BenchResults): string {
  const mc = r.machine;
  const out = [
    `Measured ${mc.date.slice(0, 10)} on ${mc.cpu} (${mc.cores} cores), Node ${mc.node}, ${mc.platform} ${mc.arch}${r.quick ? ' — QUICK RUN, figures are not representative' : ''}.`,
    `Peers: ${Object.entries(r.versions)
      .filter(([k]) => k !== 'byok-router')
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    markdownTable(r),
    '',
    'Notes:',
  ];
  // In table order: the measures are run (and stored) CPU-bound ones first.
  for (const name of MEASURES) {
    const m = r.measures[name];
    const id = measureRow(name);
    for (const note of m?.notes ?? []) out.push(`- (${id}) ${note}`);
    const alone = (m as RequestMeasure | undefined)?.routerAlone;
    if (alone) {
      const what = name === 'firstToken' ? 'to the first content delta' : 'per non-streaming request';
      out.push(
        `- (${id}) the router alone (answers from memory, no network): ${n(alone.ms.p50 * 1000, 1)} µs p50 / ${n(alone.ms.p99 * 1000, 1)} µs p99 ${what}; ${n(alone.cpuUs, 1)} µs CPU per request${name === 'firstToken' ? ' run to its end' : ''}`,
      );
    }
    const t = name === 'throughput' ? r.measures.throughput?.contenders : undefined;
    for (const [k, what] of [
      ['hop', 'a bare node:http pass-through hop'],
      ['relay', 'a TCP relay (no HTTP)'],
    ] as const) {
      const f = t?.[k];
      if (f) out.push(`- (${id}) ${what}: ${f.requestsPerSecond} req/s (${n(f.requestsRatio)}×), ${f.streamsPerSecond} streams/s (${n(f.streamsRatio)}×)`);
    }
    for (const u of (m as RequestMeasure | undefined)?.unavailable ?? []) out.push(`- (${id}) ${u.contender} could not run: ${u.reason}`);
  }
  out.push(
    `- Wall-clock figures include whatever else the machine was doing (1-minute load average ${mc.loadAverage} on ${mc.cores} cores at the start); the CPU figures (process CPU time per call of the timed process; for Portkey, the local endpoint, the bare hop and the TCP relay, their own process's too; the simulator runs in a process of its own and is in no one's figure) are what each contender adds in work.`,
    '- Every figure comes from one `npm run bench` process: the contenders share one loopback simulator (src/sim), forked into its own process (bench/sim-process.ts) so that its per-chunk encoding and writes are in no contender’s time, and run in interleaved rounds; "added" is a contender’s percentile minus the direct call’s.',
    '- Portkey sleeps 25 ms before forwarding the first streamed chunk (`readStream` in its src/handlers/streamHandler.ts), which is most of its time-to-first-token figure.',
    '- Portkey runs as its own process (as deployed), so its CPU work runs on another core beside ours; it is started with bench/portkey-preload.mjs, which works around Portkey-AI/gateway#1550 (streamed answers fail with `TypeError: immutable` under the @hono/node-server 1.19.x that npm resolves for it).',
  );
  return out.join('\n');
}
