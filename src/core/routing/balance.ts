/**
 * Spreading load across one provider's keys within one tier (`byokRouter.balance`). The positions
 * a provider's keys hold in a tier stay theirs; only which of its keys goes first changes. So
 * spreading never moves a key across tiers, past pooled access, or around Always use.
 */
import type { BalanceStrategy } from '../config/policy-schema';
import type { PlannedRoute } from './plan';

type ByokRoute = Extract<PlannedRoute, { route: 'byok' }>;

export class Balancer {
  private readonly turns = new Map<string, number>();
  /** Smooth weighted round robin (nginx's): each group's running weights. */
  private readonly current = new Map<string, Map<string, number>>();
  private readonly busy = new Map<string, number>();
  /** Keys counted busy at plan time, handed to the plan that chose them. */
  reserved: string[] = [];

  begin(keyId: string) {
    this.busy.set(keyId, (this.busy.get(keyId) ?? 0) + 1);
  }

  end(keyId: string) {
    const n = (this.busy.get(keyId) ?? 1) - 1;
    if (n > 0) this.busy.set(keyId, n);
    else this.busy.delete(keyId);
  }

  inFlight(keyId: string): number {
    return this.busy.get(keyId) ?? 0;
  }

  /**
   * The tier's routes with each provider's keys reordered by its strategy. `advance` moves the
   * rotation on (a real request); `explain` leaves it where it is.
   */
  arrange(routes: PlannedRoute[], strategyOf: (provider: string) => BalanceStrategy, advance: boolean): PlannedRoute[] {
    if (routes.length < 2) return routes; // nothing to balance, and nothing to reserve
    const groups = new Map<string, { slots: number[]; routes: ByokRoute[] }>();
    routes.forEach((r, i) => {
      if (r.route !== 'byok') return;
      const g = groups.get(r.provider) ?? { slots: [], routes: [] };
      g.slots.push(i);
      g.routes.push(r);
      groups.set(r.provider, g);
    });
    const out = [...routes];
    for (const [provider, g] of groups) {
      const strategy = strategyOf(provider);
      if (strategy === 'order' || g.routes.length < 2) continue;
      const group = `${g.routes[0]!.tier}/${provider}`;
      const ordered = this.order(group, g.routes, strategy, advance);
      g.slots.forEach((slot, i) => (out[slot] = ordered[i]!));
    }
    return out;
  }

  private order(group: string, routes: ByokRoute[], strategy: BalanceStrategy, advance: boolean): ByokRoute[] {
    // A key cooling down keeps its place at the back: the turn goes to one that can answer.
    const ready = routes.filter((r) => !r.skip);
    const resting = routes.filter((r) => r.skip);
    let first: ByokRoute[];
    if (strategy === 'round-robin') {
      const turn = this.turns.get(group) ?? 0;
      if (advance) this.turns.set(group, turn + 1);
      const n = ready.length || 1;
      first = ready.map((_, i) => ready[(turn + i) % n]!);
    } else if (strategy === 'least-busy') {
      first = ready
        .map((r, i) => ({ r, i }))
        .sort((a, b) => this.inFlight(a.r.key.id) - this.inFlight(b.r.key.id) || a.i - b.i)
        .map((x) => x.r);
      // Plans of requests that arrive together are made before any of them starts: the chosen key
      // counts as busy from now, so the next plan picks another (see RoutingPolicy.started).
      if (advance && first[0]) {
        this.begin(first[0].key.id);
        this.reserved.push(first[0].key.id);
      }
    } else {
      first = this.weighted(group, ready, advance);
    }
    return [...first, ...resting];
  }

  private weighted(group: string, ready: ByokRoute[], advance: boolean): ByokRoute[] {
    if (!ready.length) return ready;
    const state = this.current.get(group) ?? new Map<string, number>();
    this.current.set(group, state);
    const weight = (r: ByokRoute) => r.key.weight ?? 1;
    const total = ready.reduce((s, r) => s + weight(r), 0);
    const next = new Map<string, number>();
    for (const r of ready) next.set(r.key.id, (state.get(r.key.id) ?? 0) + weight(r));
    let best = ready[0]!;
    for (const r of ready) if (next.get(r.key.id)! > next.get(best.key.id)!) best = r;
    if (advance) {
      next.set(best.key.id, next.get(best.key.id)! - total);
      state.clear();
      for (const [k, v] of next) state.set(k, v);
    }
    // After the chosen key, the rest by weight: the likeliest to have headroom next.
    const rest = ready.filter((r) => r !== best).sort((a, b) => weight(b) - weight(a));
    return [best, ...rest];
  }
}
