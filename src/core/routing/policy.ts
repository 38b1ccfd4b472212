/**
 * Routing policy applied to a plan after filters and Always use: caller `byokOnly`, budgets,
 * sort/balance within each tier, then the conversation's sticky route first. Every step only
 * removes, skips or reorders routes the plan already holds, so none of them can add a pooled or
 * fallback route that Always use or a filter left out. Order documented in README "Routing".
 */
import type { GenerationRecord } from '../activity/record';
import type { Catalog } from '../catalog/types';
import type { ChatRequest } from '../chat';
import type { OpenRouterPreferences } from '../config/policy-schema';
import type { RouterConfig } from '../config/schema';
import { Balancer } from './balance';
import { BudgetLedger, describeBudget, WARN_RATIO, type ActivityHistory, type BudgetStatus } from './budgets';
import { keyRouteId, pooledRouteId } from './cooldowns';
import { LazyPlan, type Exclusion, type Plan, type PlannedRoute } from './plan';
import { sortTier } from './provider-sort';
import { RouteStats } from './route-stats';
import { conversationKey, StickyRoutes } from './stickiness';

export interface PolicyContext {
  request?: ChatRequest;
  sessionId?: string;
  /** A real request (moves rotations on); false for `explain`. */
  advance: boolean;
}

export interface PolicyDeps {
  catalog: () => Catalog;
  history?: ActivityHistory;
  /** A budget crossed 80 %: once per budget and period. */
  onBudgetWarning?: (status: BudgetStatus) => void;
}

export function routeIdOf(r: PlannedRoute): string {
  return r.route === 'byok' ? keyRouteId(r.key.id) : pooledRouteId(r.caller);
}

/** `pooled.preferences` with the caller's own on top, field by field. */
export function pooledPreferences(config: RouterConfig, caller: string): OpenRouterPreferences | undefined {
  const base = config.pooled.preferences;
  const own = config.callers.find((c) => c.name === caller)?.preferences;
  if (!base && !own) return undefined;
  return { ...base, ...own };
}

/** A BYOK-only caller: pooled access is left out for that reason, unless Always use already left it out. */
function byokOnlyExclusions(plan: Plan, hadPooled: boolean): Exclusion[] {
  const excluded = [...plan.excluded];
  if (!hadPooled && excluded.some((e) => e.route === 'pooled' && e.reason === 'always_use')) return excluded;
  const kept = excluded.filter((e) => e.route !== 'pooled');
  kept.push({ route: 'pooled', provider: 'openrouter', reason: 'byok_only', detail: `caller "${plan.caller}" is BYOK only: pooled access is never used` });
  return kept;
}

/** A plan's routes by tier, in one pass (the plan holds them prioritized, pooled, fallback). */
function splitTiers(routes: readonly PlannedRoute[]): { prioritized: PlannedRoute[]; pooled: PlannedRoute[]; fallback: PlannedRoute[] } {
  const prioritized: PlannedRoute[] = [];
  const pooled: PlannedRoute[] = [];
  const fallback: PlannedRoute[] = [];
  for (const r of routes) (r.route === 'pooled' ? pooled : r.tier === 'prioritized' ? prioritized : fallback).push(r);
  return { prioritized, pooled, fallback };
}

const arranging = new WeakMap<RouterConfig, boolean>();
/** Whether a sort or a balance strategy can reorder a tier (worked out once per configuration). */
function arranges(config: RouterConfig): boolean {
  let does = arranging.get(config);
  if (does === undefined) {
    does = config.providerSort !== 'order' || Object.values(config.balance).some((b) => b !== 'order');
    arranging.set(config, does);
  }
  return does;
}

/** Whether a budget bears on this plan: its routes' keys, its caller, or the user's overall one. */
export function budgetsApply(plan: Plan, config: RouterConfig): boolean {
  if (!hasBudget(config)) return false;
  return !!config.budget || !!config.callers.find((c) => c.name === plan.caller)?.budget || plan.routes.some((r) => r.route === 'byok' && !!r.key.budget);
}

const budgeted = new WeakMap<RouterConfig, boolean>();
function hasBudget(config: RouterConfig): boolean {
  let has = budgeted.get(config);
  if (has === undefined) {
    has = !!config.budget || config.callers.some((c) => c.budget) || config.keys.some((k) => k.budget);
    budgeted.set(config, has);
  }
  return has;
}

export class RoutingPolicy {
  readonly sticky = new StickyRoutes();
  readonly balancer = new Balancer();
  readonly stats = new RouteStats();
  readonly budgets: BudgetLedger;
  private readonly warned = new Set<string>();
  /** least-busy keys already counted busy when a plan chose them. */
  private readonly reservations = new WeakMap<Plan, string[]>();
  /** The conversation's hash, worked out once per request and model: the plan reads it and `served` writes it. */
  private readonly conversations = new WeakMap<PolicyContext, { model: string; key: string | undefined }>();

  constructor(private readonly deps: PolicyDeps) {
    this.budgets = new BudgetLedger(deps.history);
  }

  async apply(plan: Plan, config: RouterConfig, now: number, ctx: PolicyContext): Promise<Plan> {
    if (budgetsApply(plan, config)) await this.budgets.refresh(now);
    return this.applyNow(plan, config, now, ctx);
  }

  /** `apply` when no budget reads the activity log (`budgetsApply` is false), or after it was read: synchronous. */
  applyNow(plan: Plan, config: RouterConfig, now: number, ctx: PolicyContext): Plan {
    // Read, never written: a step that changes it makes a new array (the plan may be a cached one).
    let routes: PlannedRoute[] = plan.routes;
    const budgets: BudgetStatus[] = [];

    const caller = config.callers.find((c) => c.name === plan.caller);
    const byokOnly = !!caller?.byokOnly;
    const hadPooled = byokOnly && routes.some((r) => r.route === 'pooled');
    if (byokOnly) routes = routes.filter((r) => r.route !== 'pooled');

    if (budgetsApply(plan, config)) {
      const user = config.budget ? this.budgets.status('user', 'user', config.budget, now) : undefined;
      if (user) budgets.push(user);
      routes = routes.map((r) => {
        const own =
          r.route === 'byok'
            ? r.key.budget && this.budgets.status('key', r.key.id, r.key.budget, now, r.key.name)
            : caller?.budget && this.budgets.status('caller', plan.caller, caller.budget, now);
        if (own) budgets.push(own);
        const over = [own, user].find((s): s is BudgetStatus => !!s && s.ratio >= 1);
        if (!over || r.skip) return r;
        const whose = over.scope === 'user' ? 'your overall budget' : over.scope === 'caller' ? `caller "${over.id}"'s pooled budget` : 'its budget';
        return { ...r, skip: { until: over.periodEnd, reason: `budget: ${whose} is used up (${describeBudget(over)})` } };
      });
      for (const s of budgets) this.warnOnce(s);
    }

    // Sort and balance within each tier; pooled stays between the tiers. With no sort and no
    // balancing (the defaults) the plan's order is the answer, and it is not copied.
    const model = plan.model;
    if (arranges(config)) {
      const segment = (rs: PlannedRoute[]) =>
        this.balancer.arrange(sortTier(rs, config.providerSort, model, this.deps.catalog(), this.stats), (p) => config.balance[p] ?? 'order', ctx.advance);
      const tiers = splitTiers(routes);
      routes = [...segment(tiers.prioritized), ...tiers.pooled, ...segment(tiers.fallback)];
    }

    const ttl = config.stickiness.ttlMs;
    this.sticky.setLimit(config.stickiness.maxEntries);
    // With one route there is nothing to reorder: the hash waits for `served`, after the answer.
    const key = ttl > 0 && routes.length > 1 ? this.conversationOf(ctx, model) : undefined;
    const stuck = key ? this.sticky.get(key, now) : undefined;
    if (stuck) {
      const i = routes.findIndex((r) => routeIdOf(r) === stuck);
      if (i >= 0 && !routes[i]!.skip) routes = [{ ...routes[i]!, sticky: true }, ...routes.slice(0, i), ...routes.slice(i + 1)];
      else if (key) this.sticky.forget(key); // unhealthy or gone: the conversation moves on
    }
    const { model: m, caller: who, alwaysUse, alwaysUseBlocked } = plan;
    // The plan's reasons are read through, so a plan nobody explains never writes them.
    const out: Plan = new LazyPlan({ model: m, caller: who, routes, alwaysUse, alwaysUseBlocked, budgets: budgets.length ? budgets : plan.budgets }, () =>
      byokOnly ? byokOnlyExclusions(plan, hadPooled) : [...plan.excluded],
    );
    // least-busy keys this plan counted busy: released by `started` or `finished`.
    if (this.balancer.reserved.length) this.reservations.set(out, this.balancer.reserved.splice(0));
    return out;
  }

  started(r: PlannedRoute, plan?: Plan) {
    if (r.route !== 'byok') return;
    const held = plan && this.reservations.get(plan);
    const i = held ? held.indexOf(r.key.id) : -1;
    if (i >= 0) held!.splice(i, 1);
    else this.balancer.begin(r.key.id);
  }

  /** The generation is over: keys reserved by its plan but never tried are free again. */
  finished(plan: Plan | undefined) {
    const held = plan && this.reservations.get(plan);
    if (!held) return;
    for (const id of held) this.balancer.end(id);
    this.reservations.delete(plan);
  }

  ended(r: PlannedRoute) {
    if (r.route === 'byok') this.balancer.end(r.key.id);
  }

  /**
   * The route that served its plan: the conversation sticks to it. A plan of one route offers no
   * choice to remember, and the conversation's hash is not worked out for it.
   */
  served(r: PlannedRoute, plan: Plan, config: RouterConfig, now: number, ctx: PolicyContext) {
    const ttl = config.stickiness.ttlMs;
    if (ttl <= 0 || plan.routes.length < 2) return;
    const key = this.conversationOf(ctx, plan.model);
    if (key) this.sticky.set(key, routeIdOf(r), now, ttl);
  }

  private conversationOf(ctx: PolicyContext, model: string): string | undefined {
    if (!ctx.request) return undefined;
    const known = this.conversations.get(ctx);
    if (known?.model === model) return known.key;
    // The model is passed, not spread into a copy of the whole request.
    const key = conversationKey(ctx.request, ctx.sessionId, model);
    this.conversations.set(ctx, { model, key });
    return key;
  }

  /** Kept for budgets only while a budget is set: with none, 10,000 records would sit in memory for nothing. */
  recorded(record: GenerationRecord, config: RouterConfig) {
    if (hasBudget(config)) this.budgets.note(record);
  }

  private warnOnce(s: BudgetStatus) {
    if (s.ratio < WARN_RATIO || !this.deps.onBudgetWarning) return;
    const id = `${s.scope}:${s.id}:${s.periodStart}`;
    if (this.warned.has(id)) return;
    this.warned.add(id);
    // One id per budget and period: bounded, the oldest periods go first.
    if (this.warned.size > 10_000) this.warned.delete(this.warned.values().next().value!);
    this.deps.onBudgetWarning(s);
  }
}
