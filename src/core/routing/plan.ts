/**
 * The plan (docs/ARCHITECTURE.md, Routing rules): matching prioritized keys → pooled via the caller's OpenRouter key →
 * matching fallback keys; Always use on any matching prioritized key ends the plan after the
 * prioritized keys. Deterministic and explainable: every key left out says why.
 */
import type { Catalog } from '../catalog/types';
import { servesModel } from '../catalog/catalog';
import type { KeyConfig, RouterConfig, Tier } from '../config/schema';
import type { ProviderId } from '../providers/ids';
import type { Clock, SecretSource } from '../ports';
import { Cooldowns, keyRouteId, pooledRouteId, type CooldownEntry } from './cooldowns';
import { routeLabel } from './route-label';
import { modelFilterMatches } from './model-filter';
import { planStamp, type PlanCache } from './plan-cache';
import { candidatesFor, keyModelMap, nextExpiry, sortedKeys, type Candidate } from './plan-index';
import type { BudgetStatus } from './budgets';

export interface Skip {
  until: number;
  reason: string;
}

export type PlannedRoute =
  | { route: 'byok'; tier: Tier; provider: ProviderId; key: KeyConfig; nativeModel: string; skip?: Skip; sticky?: boolean }
  | { route: 'pooled'; provider: 'openrouter'; caller: string; nativeModel: string; skip?: Skip; sticky?: boolean };

export type ExclusionReason =
  'disabled' | 'expired' | 'not_served' | 'model_filter' | 'caller_filter' | 'no_secret' | 'always_use' | 'byok_only' | 'secret_unavailable';

export interface Exclusion {
  route: 'byok' | 'pooled';
  provider: string;
  keyId?: string;
  keyName?: string;
  tier?: Tier;
  reason: ExclusionReason;
  detail: string;
}

export interface Plan {
  model: string;
  caller: string;
  routes: PlannedRoute[];
  excluded: Exclusion[];
  /** Names of the prioritized keys whose Always use closed the plan. */
  alwaysUse: string[];
  /**
   * Always-use keys that match the request but cannot be tried (no secret, expired, failing auth).
   * They still close the plan: a missing value must never send the prompt elsewhere.
   */
  alwaysUseBlocked: AlwaysUseBlock[];
  /** Budgets that apply to this plan's routes, with what is spent (see budgets.ts). */
  budgets?: BudgetStatus[];
}

export interface AlwaysUseBlock {
  keyId: string;
  keyName: string;
  provider: string;
  reason: 'no_secret' | 'expired' | 'auth' | 'secret_unavailable';
  /** What the user does about it, in words: "add its value", "rotate it". */
  remedy: string;
}

export interface PlanDeps {
  config: RouterConfig;
  catalog: Catalog;
  secrets: SecretSource;
  cooldowns: Cooldowns;
  clock: Clock;
  /** Plans made before, reused while their inputs are unchanged (see plan-cache.ts). */
  cache?: PlanCache;
}

export { keyModelMap };

/** A filter list as exclusions print it, joined once per config array rather than once per plan. */
const listedText = new WeakMap<readonly string[], string>();
function listed(list: readonly string[]): string {
  let text = listedText.get(list);
  if (text === undefined) listedText.set(list, (text = list.join(', ')));
  return text;
}

function blocked(key: KeyConfig, reason: AlwaysUseBlock['reason'], why?: string): AlwaysUseBlock {
  const remedy =
    reason === 'no_secret'
      ? 'it has no stored value: add its value'
      : reason === 'secret_unavailable'
        ? `its secret reference could not be read (${why}): fix the reference or sign in to its secret manager`
        : reason === 'expired'
          ? `it expired on ${key.expiresAt}: rotate it and update its expiry date`
          : 'it failed authentication: rotate it';
  return { keyId: key.id, keyName: key.name, provider: key.provider, reason, remedy };
}

function keyExclusion(key: KeyConfig, reason: ExclusionReason, detail: string): Exclusion {
  return { route: 'byok', provider: key.provider, keyId: key.id, keyName: key.name, tier: key.tier, reason, detail };
}

/** A secret source rejected (a secret-manager reference that failed): the route is left out, saying why. */
interface SecretFailed {
  message: string;
}
type SecretResult = string | undefined | SecretFailed;
const secretFailed = (e: unknown): SecretFailed => ({ message: e instanceof Error ? e.message : String(e) });

/** What a plan was made from, kept so its exclusions can be written out only when someone reads them. */
interface Made {
  model: string;
  caller: string;
  now: number;
  config: RouterConfig;
  catalog: Catalog;
  /** Each key that passed its filters, with what its secret lookup gave. */
  secrets: Map<KeyConfig, SecretResult>;
  fallback: PlannedRoute[];
  alwaysUse: string[];
  /** The caller's OpenRouter secret, when pooled access was considered. */
  pooled?: SecretResult | 'disabled';
}

/**
 * A plan whose `excluded` is built on first read. Routing reads the routes only; the reasons for
 * the keys left out (a line per key, thousands in a large configuration) are written for `explain`
 * and errors. A class, not a getter defined on each plan: an accessor defined per object gives each
 * plan a hidden class of its own, which costs a new map per request and leaves every site that
 * reads a plan megamorphic (docs/ARCHITECTURE.md, Performance).
 */
export class LazyPlan implements Plan {
  readonly model: string;
  readonly caller: string;
  readonly routes: PlannedRoute[];
  readonly alwaysUse: string[];
  readonly alwaysUseBlocked: AlwaysUseBlock[];
  readonly budgets: BudgetStatus[] | undefined;
  private built: Exclusion[] | undefined;

  constructor(
    parts: Omit<Plan, 'excluded'>,
    private readonly build: () => Exclusion[],
  ) {
    this.model = parts.model;
    this.caller = parts.caller;
    this.routes = parts.routes;
    this.alwaysUse = parts.alwaysUse;
    this.alwaysUseBlocked = parts.alwaysUseBlocked;
    this.budgets = parts.budgets;
    this.built = undefined;
  }

  get excluded(): Exclusion[] {
    return (this.built ??= this.build());
  }

  set excluded(v: Exclusion[]) {
    this.built = v;
  }

  /** What a plain plan object would print: every field, the reasons built. */
  toJSON(): Plan {
    const { model, caller, routes, excluded, alwaysUse, alwaysUseBlocked, budgets } = this;
    return { model, caller, routes, excluded, alwaysUse, alwaysUseBlocked, ...(budgets ? { budgets } : {}) };
  }
}

/** Why a key is left out before its secret is looked at, in the order the checks run; undefined if it passes. */
function filterExclusion(key: KeyConfig, m: Made): Exclusion | undefined {
  const { model, caller } = m;
  if (key.disabled) return keyExclusion(key, 'disabled', 'disabled by the user');
  if (key.expiresAt && Date.parse(key.expiresAt) <= m.now) return keyExclusion(key, 'expired', `expired on ${key.expiresAt}`);
  if (!servesModel(m.catalog, key.provider, model, keyModelMap(key)))
    return keyExclusion(key, 'not_served', `${key.provider} does not serve ${model} (not in the catalog or the key's model map)`);
  if (!modelFilterMatches(key.filters.models, model))
    return keyExclusion(key, 'model_filter', `model filter [${listed(key.filters.models!)}] does not match ${model}`);
  if (key.filters.callers && !key.filters.callers.includes(caller))
    return keyExclusion(key, 'caller_filter', `caller filter [${listed(key.filters.callers)}] does not include "${caller}"`);
  return undefined;
}

function exclusions(m: Made): Exclusion[] {
  const excluded: Exclusion[] = [];
  for (const key of sortedKeys(m.config, m.catalog)) {
    const filtered = filterExclusion(key, m);
    const secret = filtered ? undefined : m.secrets.get(key);
    if (filtered) excluded.push(filtered);
    else if (typeof secret === 'object') excluded.push(keyExclusion(key, 'secret_unavailable', `its secret reference failed: ${secret.message}`));
    else if (!secret) excluded.push(keyExclusion(key, 'no_secret', 'no secret stored for this key'));
  }
  if (m.alwaysUse.length) {
    const because = `Always use is on for ${m.alwaysUse.map((n) => `"${n}"`).join(', ')}`;
    excluded.push({ route: 'pooled', provider: 'openrouter', reason: 'always_use', detail: `${because}: pooled access is not used` });
    for (const r of m.fallback) if (r.route === 'byok') excluded.push(keyExclusion(r.key, 'always_use', `${because}: fallback keys are not used`));
    return excluded;
  }
  const pooled = m.pooled;
  const out = (reason: ExclusionReason, detail: string) => excluded.push({ route: 'pooled', provider: 'openrouter', reason, detail });
  if (pooled === 'disabled') out('disabled', 'pooled access is turned off');
  else if (typeof pooled === 'object') out('secret_unavailable', `caller "${m.caller}"'s OpenRouter key reference failed: ${pooled.message}`);
  else if (!pooled) out('no_secret', `caller "${m.caller}" has no OpenRouter key`);
  return excluded;
}

function skipOf(block: CooldownEntry | undefined): { skip?: Skip } {
  return block ? { skip: { until: block.until, reason: block.reason } } : {};
}

/** A plan and how long it holds by itself; `cacheable` is false when a secret lookup failed (it may work next time). */
interface Built {
  plan: Plan;
  until: number;
  cacheable: boolean;
}

/** The keys that match this model and caller and have not expired, with their secrets looked up together. */
async function liveKeys(m: Made, deps: PlanDeps, alwaysUseBlocked: AlwaysUseBlock[]) {
  const live: Candidate[] = [];
  for (const c of candidatesFor(m.config, m.catalog, m.model)) {
    const { key } = c;
    if (key.filters.callers && !key.filters.callers.includes(m.caller)) continue;
    if (c.expiry <= m.now) {
      if (key.alwaysUse && key.tier === 'prioritized') alwaysUseBlocked.push(blocked(key, 'expired'));
      continue;
    }
    live.push(c);
  }
  const until = nextExpiry(m.config, m.catalog, m.now);
  // One await for all: one per key costs a microtask round trip each, which dominated large plans.
  const found = await Promise.all(live.map((c) => deps.secrets.keySecret(c.key.id).catch(secretFailed)));
  return { live, found, until };
}

async function buildPlan(model: string, caller: string, deps: PlanDeps): Promise<Built> {
  const { config, catalog, cooldowns } = deps;
  const m: Made = { model, caller, now: deps.clock.now(), config, catalog, secrets: new Map(), fallback: [], alwaysUse: [] };
  const alwaysUseBlocked: AlwaysUseBlock[] = [];
  const { live, found, until: expires } = await liveKeys(m, deps, alwaysUseBlocked);
  let until = expires;
  let cacheable = true;
  const prioritized: PlannedRoute[] = [];
  live.forEach(({ key, nativeModel }, i) => {
    const secret = found[i];
    m.secrets.set(key, secret);
    const always = key.alwaysUse && key.tier === 'prioritized';
    if (typeof secret === 'object' || !secret) {
      cacheable &&= typeof secret !== 'object';
      if (always) alwaysUseBlocked.push(typeof secret === 'object' ? blocked(key, 'secret_unavailable', secret.message) : blocked(key, 'no_secret'));
      return;
    }
    const block = cooldowns.active(keyRouteId(key.id), secret);
    if (block?.kind === 'auth' && always) alwaysUseBlocked.push(blocked(key, 'auth'));
    if (block && Number.isFinite(block.until)) until = Math.min(until, block.until);
    const route: PlannedRoute = { route: 'byok', tier: key.tier, provider: key.provider, key, nativeModel, ...skipOf(block) };
    (key.tier === 'prioritized' ? prioritized : m.fallback).push(route);
  });
  for (const r of prioritized) if (r.route === 'byok' && r.key.alwaysUse) m.alwaysUse.push(r.key.name);
  m.alwaysUse = [...new Set([...m.alwaysUse, ...alwaysUseBlocked.map((b) => b.keyName)])];
  const routes = [...prioritized];
  if (!m.alwaysUse.length) {
    if (config.pooled.enabled) {
      const secret = (m.pooled = await deps.secrets.callerSecret(caller).catch(secretFailed));
      cacheable &&= typeof secret !== 'object';
      const block = typeof secret === 'string' && secret ? cooldowns.active(pooledRouteId(caller), secret) : undefined;
      if (block && Number.isFinite(block.until)) until = Math.min(until, block.until);
      if (typeof secret === 'string' && secret) routes.push({ route: 'pooled', provider: 'openrouter', caller, nativeModel: model, ...skipOf(block) });
    } else m.pooled = 'disabled';
    routes.push(...m.fallback);
  }
  const plan = new LazyPlan({ model, caller, routes, alwaysUse: m.alwaysUse, alwaysUseBlocked }, () => exclusions(m));
  return { plan, until, cacheable };
}

/**
 * The plan `generate` runs for a model and caller. With `deps.cache` and sources that report their
 * changes (epochs), a plan made before is returned while nothing it was made from has changed.
 */
export async function planRoute(model: string, callerName: string | undefined, deps: PlanDeps): Promise<Plan> {
  return cachedPlan(model, callerName, deps) ?? makePlan(model, callerName, deps);
}

/**
 * The plan `planRoute` would return, when it is cached and still true; otherwise undefined. It
 * answers synchronously: a request whose plan is cached skips the promise hops of making one.
 */
export function cachedPlan(model: string, callerName: string | undefined, deps: PlanDeps): Plan | undefined {
  const { cache } = deps;
  const stamp = stampOf(deps);
  if (!cache || !stamp) return undefined;
  return cache.get(stamp, model, callerName || deps.config.defaultCaller, deps.clock.now());
}

/** The state a cached plan is valid for; undefined when there is no cache or a source cannot say when it changed. */
function stampOf(deps: PlanDeps) {
  return deps.cache && planStamp(deps.config, deps.catalog, deps.secrets, deps.cooldowns);
}

/** A plan made afresh, and cached when it can be: `planRoute` once `cachedPlan` had none. */
export async function makePlan(model: string, callerName: string | undefined, deps: PlanDeps): Promise<Plan> {
  const caller = callerName || deps.config.defaultCaller;
  const { cache } = deps;
  // Stamped before the build: a plan made while its sources changed is kept under the older stamp,
  // so it is never served as current.
  const stamp = stampOf(deps);
  const now = deps.clock.now();
  const built = await buildPlan(model, caller, deps);
  if (cache && stamp && built.cacheable) cache.set(stamp, model, caller, built.plan, now, built.until);
  return built.plan;
}

/** Human-readable plan, as the `explain` command prints it. */
export function formatPlan(plan: Plan, now = Date.now()): string {
  const lines = [`Plan for ${plan.model} as caller "${plan.caller}":`];
  if (!plan.routes.length) lines.push('  (no route can serve this request)');
  plan.routes.forEach((r, i) => {
    const skip = r.skip ? `  — skipped until ${fmtUntil(r.skip.until, now)}: ${r.skip.reason}` : '';
    const model = r.route === 'byok' ? ` → ${r.nativeModel}` : '';
    const sticky = r.sticky ? " [sticky: this conversation's route]" : '';
    lines.push(`  ${i + 1}. ${routeLabel(r)}${model}${sticky}${skip}`);
  });
  if (plan.alwaysUse.length) lines.push(`  Always use (${plan.alwaysUse.join(', ')}): the plan ends with your own keys.`);
  for (const b of plan.alwaysUseBlocked)
    lines.push(
      `  Always use key "${b.keyName}" cannot be tried: ${b.remedy}. Until then requests stay on your prioritized keys and fail rather than leave them.`,
    );
  // Keys of providers that don't serve the model are expected noise: one line for all of them.
  const notServed = plan.excluded.filter((e) => e.reason === 'not_served');
  const others = plan.excluded.filter((e) => e.reason !== 'not_served');
  if (others.length) {
    lines.push('Left out:');
    for (const e of others) lines.push(`  - ${routeLabel(e, { caller: false })}: ${e.detail}`);
  }
  if (notServed.length) lines.push(`Not serving ${plan.model}: ${notServed.map((e) => `${e.provider}/"${e.keyName}"`).join(', ')}`);
  return lines.join('\n');
}

function fmtUntil(until: number, now: number): string {
  if (!Number.isFinite(until)) return 'its secret is replaced';
  return `${new Date(until).toISOString()} (in ${Math.max(0, Math.ceil((until - now) / 1000))} s)`;
}
