/**
 * Latency and throughput per route from its last attempts: what `providerSort: latency|throughput`
 * orders by. Fed with the router's own attempts and seeded from the activity log, which every
 * window and the CLI append to.
 */
import type { AttemptRecord, GenerationRecord } from '../activity/record';

export const STATS_WINDOW = 20;
/** Routes with samples held at most; past it the route sampled longest ago goes first. */
export const MAX_STAT_ROUTES = 10_000;

interface Sample {
  at: number;
  /** Time to first byte, else the whole attempt. */
  latencyMs: number;
  /** Completion tokens per second after the first byte, when known. */
  tokensPerSecond: number | undefined;
}

export function attemptRouteId(a: Pick<AttemptRecord, 'route' | 'keyId' | 'caller'>): string | undefined {
  return a.route === 'byok' ? (a.keyId ? `key:${a.keyId}` : undefined) : a.caller ? `pooled:${a.caller}` : undefined;
}

export class RouteStats {
  /** Per route, its last samples oldest first. */
  private readonly samples = new Map<string, Sample[]>();

  constructor(
    private readonly window = STATS_WINDOW,
    private readonly maxRoutes = MAX_STAT_ROUTES,
  ) {}

  /** Routes with samples, for the bounds test and the memory run. */
  get size(): number {
    return this.samples.size;
  }

  add(a: AttemptRecord) {
    if (!a.ok) return;
    const id = attemptRouteId(a);
    if (!id) return;
    const latencyMs = a.ttfbMs ?? a.latencyMs;
    const streamMs = a.latencyMs - (a.ttfbMs ?? 0);
    const tokensPerSecond = a.completionTokens && streamMs > 0 ? (a.completionTokens * 1000) / streamMs : undefined;
    let list = this.samples.get(id);
    if (!list) list = [];
    else {
      // Counted once: the log seeds attempts this process already added. An attempt older than a
      // full window would drop out at once, so the window is all there is to look in.
      if (list.length >= this.window && a.startedAt < list[0]!.at) return;
      for (const s of list) if (s.at === a.startedAt && s.latencyMs === latencyMs) return;
    }
    const sample: Sample = { at: a.startedAt, latencyMs, tokensPerSecond };
    // Oldest first: a new attempt is nearly always the newest, so it is placed from the end.
    let i = list.length;
    while (i > 0 && list[i - 1]!.at > sample.at) i--;
    if (i === list.length) list.push(sample);
    else list.splice(i, 0, sample);
    while (list.length > this.window) list.shift();
    // Re-inserted last: the Map's order is the eviction order (nothing to move with one route).
    if (this.samples.size > 1) this.samples.delete(id);
    this.samples.set(id, list);
    if (this.samples.size > this.maxRoutes) this.samples.delete(this.samples.keys().next().value!);
  }

  /** Records newest first or in any order; each attempt is counted once. */
  seed(records: Iterable<GenerationRecord>) {
    for (const r of records) for (const a of r.attempts) this.add(a);
  }

  /** Median time to first byte over the window; undefined without history. */
  latency(routeId: string): number | undefined {
    return median((this.samples.get(routeId) ?? []).map((s) => s.latencyMs));
  }

  throughput(routeId: string): number | undefined {
    return median((this.samples.get(routeId) ?? []).flatMap((s) => (s.tokensPerSecond !== undefined ? [s.tokensPerSecond] : [])));
  }
}

export function median(xs: number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
