/**
 * The fault soak: N requests (streaming and not, every adapter family) through one Router to
 * simulators scripted per request with a mixed fault distribution. Each request's expected outcome
 * is derived from its scripts alone, so the check is exact: the right outcome, one outcome, the
 * attempts we recorded equal the requests the simulators saw, Always use never reached pooled,
 * and nothing leaks.
 */
import { bundledCatalog } from '../../src/core/catalog/catalog';
import type { ChatRequest } from '../../src/core/chat';
import { parseConfig } from '../../src/core/config/parse';
import { MapSecretSource } from '../../src/core/ports';
import type { CooldownEntry, CooldownStore } from '../../src/core/routing/cooldowns';
import { Router, type GenerationOutcome } from '../../src/core/routing/router';
import type { Script, SimServer, RecordedRequest } from '../../src/sim/server';
import { CANCEL_MARK, FAMILIES, type FamilyDriver, type Fault } from './families';

/** Cooldowns would make one request's faults decide another's plan; the soak checks outcomes per script. */
class NoCooldowns implements CooldownStore {
  get() {
    return undefined;
  }
  set(_id: string, _e: CooldownEntry) {}
  delete() {}
  entries() {
    return [];
  }
}

export interface SoakOptions {
  requests: number;
  concurrency?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  requests: number;
  outcomes: Record<string, number>;
  byFamily: Record<string, number>;
  faults: Record<string, number>;
  mismatches: string[];
  attemptsRecorded: number;
  requestsSeen: number;
  pooledUnderAlwaysUse: number;
  unhandledRejections: number;
  leakedHandles: string[];
  heapGrowthMb: number;
  rssGrowthMb: number;
  durationMs: number;
  requestsPerSecond: number;
}

/** A seeded PRNG: the same seed replays the same soak. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Weighted fault mix; `ok` dominates so most plans reach an answer after a few failures. */
const FAULTS: [Fault, number][] = [
  ['ok', 40],
  ['429', 6],
  ['429-no-retry-after', 4],
  ['401', 4],
  ['400', 3],
  ['500', 4],
  ['502', 3],
  ['503', 3],
  ['529', 3],
  ['exception-frame', 3],
  ['no-headers', 2],
  ['stall-before-content', 2],
  ['stall-after-content', 2],
  ['reset-before-headers', 4],
  ['reset-after-content', 3],
  ['malformed-before-content', 3],
  ['malformed-after-content', 2],
  ['truncated', 3],
  ['cancel-before-headers', 2],
  ['cancel-mid-stream', 2],
];

type Expect = { outcome: 'success' | 'error' | 'cancelled'; attempts: number; servedIndex?: number };

/** What a fault does to a route, seen from the router. */
function effect(f: Fault, stream: boolean): 'ok' | 'next' | 'stop' | 'committed' | 'cancel' {
  switch (f) {
    case 'ok':
      return 'ok';
    case '400':
      return 'stop';
    case 'stall-after-content':
    case 'reset-after-content':
    case 'malformed-after-content':
      return stream ? 'committed' : 'next';
    case 'cancel-before-headers':
    case 'cancel-mid-stream':
      return 'cancel';
    default:
      return 'next';
  }
}

function expectFor(faults: Fault[], stream: boolean): Expect {
  for (let i = 0; i < faults.length; i++) {
    const e = effect(faults[i]!, stream);
    if (e === 'ok') return { outcome: 'success', attempts: i + 1, servedIndex: i };
    if (e === 'stop' || e === 'committed') return { outcome: 'error', attempts: i + 1 };
    if (e === 'cancel') return { outcome: 'cancelled', attempts: i + 1 };
  }
  return { outcome: 'error', attempts: faults.length };
}

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const started = performance.now();
  const random = rng(opts.seed ?? 42);
  const pick = <T>(xs: [T, number][]): T => {
    const total = xs.reduce((a, [, w]) => a + w, 0);
    let r = random() * total;
    for (const [x, w] of xs) if ((r -= w) < 0) return x;
    return xs[0]![0];
  };
  let unhandled = 0;
  const onUnhandled = () => void unhandled++;
  process.on('unhandledRejection', onUnhandled);
  // Let the caller's own timers (a test runner's timeout) exist before taking the baseline.
  await new Promise((r) => setImmediate(r));
  const baselineHandles = handleCounts();
  globalThis.gc?.();
  const heap0 = process.memoryUsage();

  const drivers: FamilyDriver[] = FAMILIES.map((f) => f());
  const sims: SimServer[] = [];
  // Per request: whether it streams, the fault each route plays, and how to cancel it.
  const live = new Map<number, { stream: boolean; faults: Map<string, Fault>; ac: AbortController }>();
  const pooledByMarker = new Map<number, number>();
  const alwaysUseMarkers = new Set<number>();
  const markerOf = (req: RecordedRequest) => Number(/soak#(\d+)#/.exec(req.bodyText)?.[1] ?? -1);
  const scriptFor = (req: RecordedRequest, routeId: string, play: (f: Fault, stream: boolean) => Script): Script => {
    const r = live.get(markerOf(req));
    if (!r) return {};
    const fault = r.faults.get(routeId) ?? 'ok';
    // Cancellation while this route is in flight: hold the request, then abort the generation.
    if (fault === 'cancel-before-headers' || (fault === 'cancel-mid-stream' && !r.stream)) {
      setTimeout(() => r.ac.abort(), 5);
      return { neverRespond: true };
    }
    return play(fault, r.stream);
  };

  for (const d of drivers) {
    await d.start();
    for (const { sim, routeId } of d.routes()) {
      sims.push(sim);
      sim.script = (req) => scriptFor(req, routeId, d.script);
    }
  }
  const pooled = drivers[0]!.pooledSim();
  sims.push(pooled.sim);
  pooled.sim.script = (req) => {
    const m = markerOf(req);
    pooledByMarker.set(m, (pooledByMarker.get(m) ?? 0) + 1);
    return scriptFor(req, 'pooled', pooled.script);
  };

  const keys = drivers.flatMap((d) => d.keys());
  const secrets = new MapSecretSource(
    new Map(keys.map((k) => [k.id, k.secret])),
    new Map([
      ['soak', 'soak-openrouter-key-0001'],
      ['strict', 'soak-openrouter-key-0002'],
    ]),
  );
  const { config, diagnostics } = parseConfig({
    callers: [{ name: 'soak' }, { name: 'strict' }],
    defaultCaller: 'soak',
    pooled: { baseUrl: pooled.baseUrl },
    keys: keys.map((k) => k.config),
    // Generous enough that a loaded event loop (sims and router share one process) never fakes a timeout.
    timeouts: { connectMs: 2000, firstByteMs: 1000, idleMs: 1000, totalMs: 10_000 },
  });
  if (diagnostics.some((d) => d.severity === 'error')) throw new Error(`soak config: ${JSON.stringify(diagnostics)}`);
  let recorded = 0;
  const router = new Router({ config, catalog: bundledCatalog(), secrets, cooldownStore: new NoCooldowns(), sink: { append: () => void recorded++ } });

  const report: SoakReport = {
    requests: opts.requests,
    outcomes: {},
    byFamily: {},
    faults: {},
    mismatches: [],
    attemptsRecorded: 0,
    requestsSeen: 0,
    pooledUnderAlwaysUse: 0,
    unhandledRejections: 0,
    leakedHandles: [],
    heapGrowthMb: 0,
    rssGrowthMb: 0,
    durationMs: 0,
    requestsPerSecond: 0,
  };

  async function one(i: number) {
    const d = drivers[i % drivers.length]!;
    const stream = random() < 0.6;
    // One in eight requests runs as caller "strict", whose family key has Always use.
    const strict = random() < 0.125;
    const caller = strict ? 'strict' : 'soak';
    const routeIds = d.plan(caller); // route ids in plan order, 'pooled' included where planned
    const faults = routeIds.map(() => pick(FAULTS));
    const ac = new AbortController();
    live.set(i, { stream, faults: new Map(routeIds.map((r, j) => [r, faults[j]!])), ac });
    if (strict) alwaysUseMarkers.add(i);
    for (const f of faults) report.faults[f] = (report.faults[f] ?? 0) + 1;
    report.byFamily[d.name] = (report.byFamily[d.name] ?? 0) + 1;

    const cancelMid = stream && faults.includes('cancel-mid-stream');
    const request: ChatRequest = { model: d.model, stream, messages: [{ role: 'user', content: `soak#${i}# say something` }] };
    const o: GenerationOutcome = await router.generate(request, {
      caller,
      signal: ac.signal,
      surface: 'soak',
      // The cancel route streams a marker; seeing it means that route is the one in flight.
      onChunk: (c) => {
        if (cancelMid && c.choices[0]?.delta.content?.includes(CANCEL_MARK)) ac.abort();
      },
    });
    live.delete(i);
    const exp = expectFor(faults, stream);
    report.outcomes[o.record.outcome] = (report.outcomes[o.record.outcome] ?? 0) + 1;
    report.attemptsRecorded += o.record.attempts.length;
    const served = o.ok ? routeIds.indexOf(o.record.servedBy?.route === 'pooled' ? 'pooled' : `key:${o.record.servedBy?.keyId}`) : undefined;
    const bad = o.record.outcome !== exp.outcome || o.record.attempts.length !== exp.attempts || (exp.servedIndex !== undefined && served !== exp.servedIndex);
    if (bad && report.mismatches.length < 20) {
      report.mismatches.push(
        `#${i} ${d.name} ${stream ? 'stream' : 'json'} ${caller} faults=[${faults.join(',')}] expected ${exp.outcome}/${exp.attempts}${exp.servedIndex !== undefined ? `@${exp.servedIndex}` : ''} got ${o.record.outcome}/${o.record.attempts.length}${served !== undefined ? `@${served}` : ''}: ${o.record.attempts.map((a) => `${a.status ?? ''} ${a.errorKind ?? 'ok'} ${a.message ?? ''}`.slice(0, 160)).join(' | ')}`,
      );
    } else if (bad) report.mismatches.push(`#${i}`);
  }

  const concurrency = opts.concurrency ?? 16;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < opts.requests) {
        const i = next++;
        await one(i);
        if (opts.log && (i + 1) % 1000 === 0) opts.log(`soak: ${i + 1}/${opts.requests}`);
      }
    }),
  );

  report.requestsSeen = sims.reduce((a, s) => a + s.requests.length, 0);
  for (const [m, n] of pooledByMarker) if (alwaysUseMarkers.has(m)) report.pooledUnderAlwaysUse += n;
  await router.close();
  await Promise.all(drivers.map((d) => d.stop()));
  // Sockets close and undici's coarse timers expire asynchronously: give them a bounded moment.
  for (let i = 0; i < 40 && leaks(baselineHandles).length; i++) await new Promise((r) => setTimeout(r, 50));
  report.durationMs = Math.round(performance.now() - started);
  report.requestsPerSecond = Math.round((opts.requests / report.durationMs) * 1000);
  report.unhandledRejections = unhandled;
  process.off('unhandledRejection', onUnhandled);
  report.leakedHandles = leaks(baselineHandles);
  globalThis.gc?.();
  const heap1 = process.memoryUsage();
  report.heapGrowthMb = Math.round(((heap1.heapUsed - heap0.heapUsed) / 1048576) * 10) / 10;
  report.rssGrowthMb = Math.round(((heap1.rss - heap0.rss) / 1048576) * 10) / 10;
  if (recorded !== opts.requests) report.mismatches.push(`records: ${recorded} for ${opts.requests} requests`);
  return report;
}

function leaks(baseline: Record<string, number>): string[] {
  const out: string[] = [];
  for (const [k, n] of Object.entries(handleCounts())) if (n > (baseline[k] ?? 0)) out.push(`${k} +${n - (baseline[k] ?? 0)}`);
  return out;
}

function handleCounts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) if (r === 'TCPSocketWrap' || r === 'TCPServerWrap' || r === 'Timeout') out[r] = (out[r] ?? 0) + 1;
  return out;
}

export function soakProblems(r: SoakReport): string[] {
  const p: string[] = [];
  if (r.mismatches.length) p.push(`${r.mismatches.length} outcome mismatches: ${r.mismatches.slice(0, 5).join(' | ')}`);
  if (r.attemptsRecorded !== r.requestsSeen) p.push(`attempts recorded ${r.attemptsRecorded} ≠ requests seen ${r.requestsSeen}`);
  if (r.pooledUnderAlwaysUse) p.push(`${r.pooledUnderAlwaysUse} pooled requests under Always use`);
  if (r.unhandledRejections) p.push(`${r.unhandledRejections} unhandled rejections`);
  if (r.leakedHandles.length) p.push(`leaked handles: ${r.leakedHandles.join(', ')}`);
  return p;
}

if (require.main === module) {
  const n = Number(process.argv[2] ?? 10_000);
  runSoak({ requests: n, log: (l) => console.error(l) }).then((r) => {
    console.log(JSON.stringify(r, null, 2));
    const problems = soakProblems(r);
    for (const p of problems) console.error(`PROBLEM: ${p}`);
    process.exit(problems.length ? 1 : 0);
  });
}
