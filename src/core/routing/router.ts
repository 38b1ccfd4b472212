/**
 * Executes a plan (docs/ARCHITECTURE.md, Routing rules): routes in order, fallback on rate_limited/server/timeout/network/
 * auth, stop on bad_request and cancellation, no fallback after the first content delta reached
 * the caller, and exactly one terminal outcome per generation, recorded with every attempt.
 */
import { randomBytes } from 'node:crypto';
import { type ChatChunk, type ChatCompletion, type ChatRequest, type Usage } from '../chat';
import type { Catalog } from '../catalog/types';
import type { RouterConfig } from '../config/schema';
import { isRouteFailure, routeError, shouldFallBack, type RouteError } from '../errors';
import type { CancelSignal } from '../http/cancel';
import { UndiciHttpClient, type HttpClient } from '../http/client';
import { callRoute } from '../providers/driver';
import { systemClock, type Clock, type SecretSource } from '../ports';
import { Adapters } from '../providers/registry';
import type { AdapterCall } from '../providers/types';
import { Redactor, redactThenClip } from '../redact';
import { byokFee, MonthlyUsage, openRouterCost, usageCost } from '../accounting/cost';
import type { ActivitySink, AttemptRecord, GenerationRecord, PlannedRecord } from '../activity/record';
import { CommitGate } from './commit-gate';
import { Cooldowns, keyRouteId, MemoryCooldownStore, pooledRouteId, type CooldownStore } from './cooldowns';
import { cachedPlan, makePlan, type Plan, type PlanDeps, type PlannedRoute } from './plan';
import { PlanCache } from './plan-cache';
import { modelChain, movesToNextModel, requestFor } from './model-fallbacks';
import { budgetsApply, pooledPreferences, RoutingPolicy, type PolicyContext } from './policy';
import { routeLabel } from './route-label';
import type { ActivityHistory, BudgetStatus } from './budgets';
import type { ModelGivenUp } from '../activity/record';

/** A pooled call's key options: none (one shared object, never written). */
const NO_OPTIONS: AdapterCall['options'] = Object.freeze({});

/** Bounds after redaction: one attempt's words, a final error naming every attempt, a provider's code. */
const MAX_ATTEMPT_MESSAGE = 2000;
const MAX_FINAL_MESSAGE = 64_000;
const MAX_CODE = 100;

export interface RouterDeps {
  config: RouterConfig | (() => RouterConfig);
  catalog: Catalog | (() => Catalog);
  secrets: SecretSource;
  clock?: Clock;
  cooldownStore?: CooldownStore;
  http?: HttpClient;
  sink?: ActivitySink;
  redactor?: Redactor;
  monthly?: MonthlyUsage;
  /** Already-redacted trace lines. */
  log?: (line: string) => void;
  /** The activity log, read for budgets (spend shared by every window and the CLI). */
  history?: ActivityHistory;
  /** A budget crossed 80 % (once per budget and period). */
  onBudgetWarning?: (status: BudgetStatus) => void;
  /** Provider adapters and the caches they keep (thinking, signatures, tokens); the shipped table, fresh, by default. */
  adapters?: Adapters;
}

export interface GenerateOptions {
  caller?: string;
  /** The caller's cancellation: an AbortSignal, or a `Cancel`, which costs less to listen to. */
  signal?: CancelSignal;
  /** Which surface asked: `cli`, `chat`, `lm`, `command:explain`, … */
  surface?: string;
  folder?: string;
  /** The client program behind the surface (the endpoint reads it from User-Agent), e.g. `claude-cli`. */
  client?: string;
  /** Streaming requests: each chunk as it is committed to the caller. */
  onChunk?: (chunk: ChatChunk) => void;
  /** Each attempt as it ends, for live traces. */
  onAttempt?: (attempt: AttemptRecord) => void;
  /** Models to try after `request.model` (OpenRouter's `models`); over `modelFallbacks`. */
  models?: string[];
  /** The conversation's id where the surface has one (a chat session); else a prompt hash is used. */
  sessionId?: string;
}

export type GenerationOutcome = { ok: true; response: ChatCompletion; record: GenerationRecord } | { ok: false; error: RouteError; record: GenerationRecord };

/** One generation across models and routes: what every record of it shares. */
interface Generation {
  id: string;
  startedAt: number;
  /** performance.now() at the start, for the latency. */
  t0: number;
  opts: GenerateOptions;
  attempts: AttemptRecord[];
}

/** How a generation ended: an error, or the route that served it with its usage and attempt. */
type Ending = { error: RouteError; served?: undefined } | { error?: undefined; served: PlannedRoute; usage: Usage | undefined; attempt: AttemptRecord };

interface AttemptResult {
  attempt: AttemptRecord;
  error?: RouteError;
  response?: ChatCompletion;
  /** Content reached the caller: no fallback from here. */
  committed: boolean;
  usage?: Usage;
}

export class Router {
  readonly clock: Clock;
  readonly cooldowns: Cooldowns;
  readonly redactor: Redactor;
  readonly monthly: MonthlyUsage;
  readonly policy: RoutingPolicy;
  readonly adapters: Adapters;
  /** Plans reused while config, catalog, cooldowns and secrets are unchanged (plan-cache.ts). */
  readonly plans = new PlanCache();
  private readonly http: HttpClient;
  private readonly ownsHttp: boolean;
  // Made once, not per attempt: every call hands the same three to the driver and the adapter.
  private readonly now = () => this.clock.now();
  private readonly redact = (text: string) => this.redactor.redact(text);
  private readonly addCredential = (value: string) => this.redactor.add(value);

  constructor(private readonly deps: RouterDeps) {
    this.clock = deps.clock ?? systemClock;
    this.redactor = deps.redactor ?? new Redactor();
    this.monthly = deps.monthly ?? new MonthlyUsage();
    this.adapters = deps.adapters ?? new Adapters();
    this.cooldowns = new Cooldowns(deps.cooldownStore ?? new MemoryCooldownStore(), this.clock, this.config.cooldown);
    this.policy = new RoutingPolicy({ catalog: () => this.catalog, history: deps.history, onBudgetWarning: deps.onBudgetWarning });
    this.ownsHttp = !deps.http;
    this.http = deps.http ?? new UndiciHttpClient({ connectTimeoutMs: this.config.timeouts.connectMs });
  }

  get config(): RouterConfig {
    const c = this.deps.config;
    return typeof c === 'function' ? c() : c;
  }

  get catalog(): Catalog {
    const c = this.deps.catalog;
    return typeof c === 'function' ? c() : c;
  }

  /** The plan as it would run now, for the user to read: `ctx` names the conversation, for its sticky route. */
  explain(model: string, caller?: string, ctx: PolicyContext = { advance: false }): Promise<Plan> {
    return this.planRoute(model, caller, ctx);
  }

  /** The plan `generate` runs: filters and Always use, then the routing policy. */
  async planRoute(model: string, caller?: string, ctx: PolicyContext = { advance: false }): Promise<Plan> {
    return this.planFor(model, caller, ctx);
  }

  /**
   * `planRoute` without a promise hop when it can: a cached plan that no budget bears on (no read of
   * the activity log) is applied synchronously. The cache is looked up once either way.
   */
  private planFor(model: string, caller: string | undefined, ctx: PolicyContext): Plan | Promise<Plan> {
    const deps = this.planDeps();
    const hit = cachedPlan(model, caller, deps);
    if (!hit) return makePlan(model, caller, deps).then((plan) => this.policy.apply(plan, deps.config, this.clock.now(), ctx));
    const now = this.clock.now();
    return budgetsApply(hit, deps.config) ? this.policy.apply(hit, deps.config, now, ctx) : this.policy.applyNow(hit, deps.config, now, ctx);
  }

  /** What a plan is made from, as of now (the cooldown policy follows the configuration). */
  private planDeps(): PlanDeps {
    const config = this.config;
    this.cooldowns.setPolicy(config.cooldown);
    return { config, catalog: this.catalog, secrets: this.deps.secrets, cooldowns: this.cooldowns, clock: this.clock, cache: this.plans };
  }

  async close() {
    if (this.ownsHttp) await this.http.close();
  }

  async generate(request: ChatRequest, opts: GenerateOptions = {}): Promise<GenerationOutcome> {
    const gen: Generation = { id: nextGenerationId(), startedAt: this.clock.now(), t0: performance.now(), opts, attempts: [] };
    const { id, attempts } = gen;
    let plan: Plan | undefined;
    let outcome: GenerationOutcome;
    const givenUp: ModelGivenUp[] = [];
    try {
      const models = modelChain(request, this.config, opts.models);
      for (let i = 0; ; i++) {
        const model = models[i]!;
        const one = requestFor(request, model);
        const ctx: PolicyContext = { request: one, advance: true, ...(opts.sessionId ? { sessionId: opts.sessionId } : {}) };
        const planned = this.planFor(model, opts.caller, ctx);
        plan = planned instanceof Promise ? await planned : planned;
        const before = attempts.length;
        let ran;
        try {
          ran = await this.run(gen, plan, one);
        } finally {
          this.policy.finished(plan);
        }
        outcome = ran.outcome;
        if (outcome.ok) {
          this.policy.served(ran.served!, plan, this.config, this.clock.now(), ctx);
          break;
        }
        if (i + 1 >= models.length || !movesToNextModel(outcome.error, ran.committed, attempts.length > before)) break;
        givenUp.push({ model, errorKind: outcome.error.kind, reason: outcome.error.message });
        this.log(`${id} model ${model} given up (${outcome.error.kind}); trying ${models[i + 1]}`);
      }
      if (givenUp.length) outcome.record.modelFallbacks = givenUp;
      outcome.record.model = request.model;
    } catch (e) {
      // A bug of ours must still end the generation with an outcome, never a stray rejection.
      const error = isRouteFailure(e) ? e.error : routeError('server', `internal error: ${(e as Error)?.message ?? String(e)}`);
      const scrubbed = this.scrub(error, MAX_FINAL_MESSAGE);
      outcome = { ok: false, error: scrubbed, record: this.record(gen, request, plan, { error: scrubbed }) };
      if (givenUp.length) outcome.record.modelFallbacks = givenUp;
    }
    this.policy.recorded(outcome.record, this.config);
    // The store queues and orders its own writes; a generation must not wait on the disk.
    try {
      const pending = this.deps.sink?.append(outcome.record);
      if (pending) pending.catch((e: unknown) => this.log(`activity log write failed: ${(e as Error)?.message ?? e}`));
    } catch (e) {
      this.log(`activity log write failed: ${(e as Error).message}`);
    }
    return outcome;
  }

  private async run(gen: Generation, plan: Plan, request: ChatRequest): Promise<{ outcome: GenerationOutcome; committed: boolean; served?: PlannedRoute }> {
    const { opts, attempts, id } = gen;
    const fail = (error: RouteError, committed = false) => {
      const scrubbed = this.scrub(error, MAX_FINAL_MESSAGE);
      const outcome: GenerationOutcome = {
        ok: false,
        error: scrubbed,
        record: this.record(gen, request, plan, { error: scrubbed }),
      };
      return { outcome, committed };
    };
    let last: RouteError | undefined;
    for (const route of plan.routes) {
      if (opts.signal?.aborted) return fail(routeError('cancelled', 'cancelled by the caller'));
      if (route.skip) continue;
      this.policy.started(route, plan);
      let r: AttemptResult;
      try {
        r = await this.attempt(route, request, opts, plan);
      } finally {
        this.policy.ended(route);
      }
      this.policy.stats.add(r.attempt);
      attempts.push(r.attempt);
      opts.onAttempt?.(r.attempt);
      // Described only for a log that will take it: building the line costs on every attempt.
      if (this.deps.log) this.log(`${id} ${describeAttempt(r.attempt)}`);
      if (!r.error) {
        const response = r.response!;
        const record = this.record(gen, request, plan, { served: route, usage: r.usage, attempt: r.attempt });
        if (route.route === 'byok') this.monthly.add(this.clock.now(), record.pooledListCost);
        return { outcome: { ok: true, response, record }, committed: true, served: route };
      }
      last = r.error;
      if (r.committed) {
        return fail(
          routeError(r.error.kind, `the answer failed after output had started, so no other route was tried: ${r.error.message}`, {
            status: r.error.status,
          }),
          true,
        );
      }
      if (r.error.kind === 'cancelled' || !shouldFallBack(r.error.kind)) break;
    }
    return fail(this.finalError(plan, attempts, last));
  }

  /** One error naming every attempt, so nothing is silently dropped. */
  private finalError(plan: Plan, attempts: AttemptRecord[], last: RouteError | undefined): RouteError {
    if (last?.kind === 'cancelled') return last;
    const e = this.routesError(plan, attempts, last);
    if (!plan.alwaysUseBlocked.length) return e;
    // Name the Always-use key that held the request back and what fixes it.
    const held = plan.alwaysUseBlocked
      .map((b) => `Always use on ${b.provider}/key "${b.keyName}" keeps this request on your own keys, but ${b.remedy}.`)
      .join(' ');
    return { ...e, kind: attempts.length ? e.kind : 'policy', message: `${e.message} ${held}` };
  }

  private routesError(plan: Plan, attempts: AttemptRecord[], last: RouteError | undefined): RouteError {
    const skipped = plan.routes.filter((r) => r.skip);
    if (!attempts.length) {
      if (skipped.length) {
        const soonest = Math.min(...skipped.map((r) => r.skip!.until));
        const wait = Number.isFinite(soonest) ? Math.max(0, soonest - this.clock.now()) : undefined;
        const kind = plan.alwaysUse.length ? 'policy' : skipped.every((r) => !Number.isFinite(r.skip!.until)) ? 'auth' : 'rate_limited';
        const names = skipped.map((r) => `${routeName(r)}: ${r.skip!.reason}`).join('; ');
        const policy = plan.alwaysUse.length ? ' Always use keeps this request on your own keys.' : '';
        return routeError(kind, `every route for ${plan.model} is cooling down (${names}).${policy}`, { retryAfterMs: wait });
      }
      const why = plan.excluded.map((e) => `${e.route === 'pooled' ? 'pooled' : `${e.provider}/key "${e.keyName}"`}: ${e.detail}`).join('; ');
      return routeError('bad_request', `no route can serve ${plan.model} for caller "${plan.caller}"${why ? ` (${why})` : ' (no keys configured)'}`);
    }
    const trail = attempts.map(describeAttempt).join('; ');
    const policy = plan.alwaysUse.length && last && shouldFallBack(last.kind) ? ' Always use: pooled and fallback routes were not tried.' : '';
    const base = last ?? routeError('server', 'no attempt succeeded');
    return { ...base, message: `all routes failed for ${plan.model}: ${trail}.${policy}` };
  }

  private async attempt(route: PlannedRoute, request: ChatRequest, opts: GenerateOptions, plan: Plan): Promise<AttemptResult> {
    const t0 = performance.now();
    const attempt = attemptRecord(route, this.clock.now());
    let secret: string | undefined;
    try {
      secret = route.route === 'byok' ? await this.deps.secrets.keySecret(route.key.id) : await this.deps.secrets.callerSecret(route.caller);
    } catch (e) {
      // A secret-manager reference that stopped resolving between the plan and the attempt. Unusable
      // for this request only: a manager that is signed out now may be signed in next time, so no cooldown.
      const error = this.scrub(routeError('auth', `the secret reference failed: ${e instanceof Error ? e.message : String(e)}`));
      Object.assign(attempt, { latencyMs: round(performance.now() - t0), errorKind: error.kind, message: error.message });
      return { attempt, error, committed: false };
    }
    const end = (error: RouteError | undefined, extra: Partial<AttemptResult> = {}) => this.settle(route, attempt, t0, secret, error, extra);
    if (!secret)
      return end(
        routeError('auth', route.route === 'byok' ? `no secret stored for key "${route.key.name}"` : `caller "${route.caller}" has no OpenRouter key`),
      );
    this.redactor.add(secret);
    const { timeouts, limits } = this.config;
    // Only a stream has chunks to hold back until the first content.
    const gate = request.stream === true ? new CommitGate(opts.onChunk) : undefined;
    const r = await callRoute(this.adapters.get(route.provider), this.adapterCall(route, request, plan, secret), {
      http: this.http,
      timeouts,
      limits,
      signal: opts.signal,
      model: plan.model,
      startedAt: attempt.startedAt,
      now: this.now,
      redact: this.redact,
      onChunk: gate && ((chunk) => gate.push(chunk)),
    });
    if (r.status !== undefined) attempt.status = r.status;
    if (r.ttfbMs !== undefined) attempt.ttfbMs = r.ttfbMs;
    if (r.error) {
      const committed = gate?.committed === true;
      if (!committed || r.aborted === 'cancelled') return { ...end(r.error), committed };
      return { ...end({ ...r.error, message: `${r.error.message} (after output had started)` }), committed: true };
    }
    gate?.flush();
    const usage = r.response!.usage;
    if (usage) this.price(attempt, route, plan, usage);
    return end(undefined, { response: r.response, usage });
  }

  /** Closes an attempt: its latency, its error scrubbed, and the route's cooldown state. */
  private settle(
    route: PlannedRoute,
    attempt: AttemptRecord,
    t0: number,
    secret: string | undefined,
    error: RouteError | undefined,
    extra: Partial<AttemptResult>,
  ): AttemptResult {
    const routeId = route.route === 'byok' ? keyRouteId(route.key.id) : pooledRouteId(route.caller);
    attempt.latencyMs = round(performance.now() - t0);
    if (!error) {
      attempt.ok = true;
      this.cooldowns.recordSuccess(routeId);
      return { attempt, committed: true, ...extra };
    }
    const scrubbed = this.scrub(error);
    attempt.errorKind = scrubbed.kind;
    attempt.message = scrubbed.message;
    if (scrubbed.status) attempt.status = scrubbed.status;
    if (scrubbed.retryAfterMs !== undefined && Number.isFinite(scrubbed.retryAfterMs)) attempt.retryAfterMs = scrubbed.retryAfterMs;
    if (scrubbed.kind !== 'cancelled') this.cooldowns.recordFailure(routeId, scrubbed.kind, shortReason(scrubbed), scrubbed.retryAfterMs, secret);
    return { attempt, error: scrubbed, committed: false, ...extra };
  }

  private adapterCall(route: PlannedRoute, request: ChatRequest, plan: Plan, secret: string): AdapterCall {
    const config = this.config;
    const call: AdapterCall = {
      provider: route.provider,
      request,
      nativeModel: route.nativeModel,
      secret,
      stream: request.stream === true,
      options: route.route === 'byok' ? route.key.options : NO_OPTIONS,
      model: this.catalog.get(plan.model),
      http: this.http,
      onCredential: this.addCredential,
      ...(route.route === 'pooled' ? { baseUrl: config.pooled.baseUrl, extraHeaders: config.pooled.headers } : {}),
    };
    if (route.route === 'pooled') {
      const provider = pooledPreferences(config, route.caller);
      if (provider) call.extraBody = { provider };
    }
    return call;
  }

  /** Tokens and cost on the attempt: OpenRouter's own figure for pooled, the key's or catalog price for BYOK. */
  private price(attempt: AttemptRecord, route: PlannedRoute, plan: Plan, usage: Usage) {
    attempt.promptTokens = usage.prompt_tokens;
    attempt.completionTokens = usage.completion_tokens;
    Object.assign(attempt, cacheTokens(usage));
    const cost =
      route.route === 'pooled'
        ? (openRouterCost(usage) ?? usageCost(usage, this.catalog.pooledPrice(plan.model)))
        : usageCost(usage, route.key.priceOverrides?.[plan.model] ?? this.catalog.offer(plan.model, route.provider));
    if (cost !== undefined) attempt.cost = cost;
  }

  /** The generation's record; the caller adds a BYOK answer's list cost to the month (the fee reads the month so far). */
  private record(g: Generation, request: ChatRequest, plan: Plan | undefined, end: Ending): GenerationRecord {
    const { opts, attempts } = g;
    const rec: GenerationRecord = {
      v: 1,
      id: g.id,
      startedAt: g.startedAt,
      surface: opts.surface ?? 'api',
      caller: plan?.caller ?? opts.caller ?? this.config.defaultCaller,
      ...(opts.folder ? { folder: opts.folder } : {}),
      ...(opts.client ? { client: opts.client } : {}),
      model: request.model,
      stream: request.stream === true,
      outcome: end.error ? (end.error.kind === 'cancelled' ? 'cancelled' : 'error') : 'success',
      plan: (plan?.routes ?? []).map(planned),
      attempts,
      latencyMs: round(performance.now() - g.t0),
    };
    if (end.error) {
      rec.errorKind = end.error.kind;
      rec.errorMessage = end.error.message;
    }
    if (end.served) {
      const servedBy = planned(end.served);
      servedBy.model = request.model;
      rec.servedBy = servedBy;
      const a = end.attempt;
      if (a.ttfbMs !== undefined) rec.ttfbMs = a.ttfbMs;
      if (end.usage) {
        rec.promptTokens = end.usage.prompt_tokens;
        rec.completionTokens = end.usage.completion_tokens;
        Object.assign(rec, cacheTokens(end.usage));
      }
      // Unknown is recorded as unknown: a model with no price is not free.
      rec.cost = a.cost ?? null;
      const listCost = usageCost(end.usage, this.catalog.pooledPrice(request.model));
      if (listCost !== undefined) rec.pooledListCost = listCost;
      if (end.served.route === 'byok') {
        const fee = byokFee(this.config.fees, listCost, a.cost, this.monthly.current(this.clock.now()));
        rec.byokFee = fee.fee;
        rec.feeWaived = fee.waived;
        if (fee.saving !== undefined) rec.saving = fee.saving;
      }
    }
    return rec;
  }

  /** Message and code redacted at full length, then bounded: the code becomes cooldown and skip reasons. */
  private scrub(e: RouteError, max = MAX_ATTEMPT_MESSAGE): RouteError {
    const message = redactThenClip(this.redactor, e.message, max);
    const code = e.code === undefined ? undefined : redactThenClip(this.redactor, e.code, MAX_CODE);
    if (message === e.message && code === e.code) return e;
    return { ...e, message, ...(code !== undefined ? { code } : {}) };
  }

  private log(line: string) {
    this.deps.log?.(this.redactor.redact(line));
  }
}

// Unique across windows and restarts without a UUID per request: a random prefix per process, then a count.
const GENERATION_PREFIX = `gen-${randomBytes(8).toString('hex')}-`;
let generations = 0;
function nextGenerationId(): string {
  return `${GENERATION_PREFIX}${(++generations).toString(36)}`;
}

/** The prompt-cache share of a usage, for the activity record; nothing when the provider cached nothing. */
function cacheTokens(u: Usage): { cacheReadTokens?: number; cacheWriteTokens?: number } {
  const d = u.prompt_tokens_details;
  return { ...(d?.cached_tokens ? { cacheReadTokens: d.cached_tokens } : {}), ...(d?.cache_write_tokens ? { cacheWriteTokens: d.cache_write_tokens } : {}) };
}

function attemptRecord(route: PlannedRoute, startedAt: number): AttemptRecord {
  return {
    route: route.route,
    provider: route.provider,
    nativeModel: route.nativeModel,
    ok: false,
    startedAt,
    latencyMs: 0,
    ...(route.route === 'byok' ? { tier: route.tier, keyId: route.key.id, keyName: route.key.name } : { caller: route.caller }),
  };
}

function planned(r: PlannedRoute): PlannedRecord {
  const p: PlannedRecord =
    r.route === 'byok'
      ? { route: 'byok', provider: r.provider, tier: r.tier, keyId: r.key.id, keyName: r.key.name }
      : { route: 'pooled', provider: 'openrouter' };
  if (r.sticky) p.sticky = true;
  if (r.skip) {
    p.skippedUntil = Number.isFinite(r.skip.until) ? r.skip.until : null;
    p.skipReason = r.skip.reason;
  }
  return p;
}

function routeName(r: PlannedRoute): string {
  return r.route === 'pooled' ? 'pooled' : `${r.provider}/key "${r.key.name}"`;
}

function shortReason(e: RouteError): string {
  const status = e.status ? `${e.status} ` : '';
  return `${status}${e.kind}${e.code ? ` (${e.code})` : ''}`;
}

/** `anthropic/key "prod-main": 429 rate_limited, retry in 12 s` */
export function describeAttempt(a: AttemptRecord): string {
  const who = routeLabel(a, { tier: false });
  if (a.ok) return `${who}: ${a.status ?? 200} ok in ${Math.round(a.latencyMs)} ms`;
  const retry = a.retryAfterMs !== undefined ? `, retry in ${Math.ceil(a.retryAfterMs / 1000)} s` : '';
  return `${who}: ${a.status ? `${a.status} ` : ''}${a.errorKind}${retry} — ${a.message}`;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
