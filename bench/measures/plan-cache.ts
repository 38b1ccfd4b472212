/**
 * Plans at 2,000 keys × 20 callers as `generate` makes them, timed one by one with the GC pauses
 * left in (no gc() between samples):
 * - `routed`: Router.planRoute over models and callers in turn while a cooldown starts or ends every
 *   50 plans, so the plan cache is emptied as it is in use;
 * - `cold`: every plan right after a cooldown change, so none comes from the cache (the index only);
 * - `explained`: Router.explain with its exclusions read, what the explain command prints;
 * - `before`: the planner before the index and cache (test/unit/routing/plan-reference.ts) and the
 *   same policy, on the same configuration.
 * Each case is reported in wall time and in process CPU time per plan: on a shared machine the wall
 * time's tail is mostly other processes.
 */
import { bundledCatalog } from '../../src/core/catalog/catalog';
import { keyRouteId } from '../../src/core/routing/cooldowns';
import { Router } from '../../src/core/routing/router';
import { referencePlan } from '../../test/unit/routing/plan-reference';
import { roundSummary, summarize, type Summary } from '../stats';
import { CALLERS, largeConfig } from './plan';

const MODELS = ['openai/gpt-oss-120b', 'meta-llama/llama-3.3-70b-instruct', 'anthropic/claude-sonnet-4.5', 'openai/gpt-4o-mini', 'google/gemini-2.5-flash'];

export interface PlanCacheMeasure {
  keys: number;
  callers: number;
  routed: Summary;
  /** Share of `routed` plans that came from the cache. */
  hitRatio: number;
  cold: Summary;
  explained: Summary;
  before: Summary;
  /** Process CPU time per plan, per case. */
  cpu: { routed: Summary; cold: Summary; explained: Summary; before: Summary };
}

export async function measurePlanCache(opts: { samples: number }): Promise<PlanCacheMeasure> {
  const { config, secrets } = largeConfig();
  const router = new Router({ config, catalog: bundledCatalog(), secrets });
  config.keys.forEach((k, i) => {
    if (i % 10 === 3) router.cooldowns.recordFailure(keyRouteId(k.id), 'rate_limited', '429 rate_limited', 60_000);
  });
  const churn = (i: number) => {
    const id = keyRouteId(config.keys[(i * 37) % config.keys.length]!.id);
    if (router.cooldowns.store.get(id)) router.cooldowns.recordSuccess(id);
    else router.cooldowns.recordFailure(id, 'rate_limited', '429 rate_limited', 60_000);
  };
  const pick = (i: number) => [MODELS[i % MODELS.length]!, `caller-${(i * 7) % CALLERS}`] as const;
  for (let i = 0; i < 200; i++) await router.planRoute(...pick(i));

  const cpuOf: Summary[] = [];
  const time = async (n: number, before: (i: number) => void, run: (i: number) => Promise<unknown>) => {
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < n; i++) {
      before(i);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await run(i);
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    cpuOf.push(roundSummary(summarize(cpu)));
    return roundSummary(summarize(times));
  };
  let hits = 0;
  let last = new Map<string, unknown>();
  const routed = await time(
    opts.samples,
    (i) => i % 50 === 49 && churn(i),
    async (i) => {
      const [model, caller] = pick(i);
      const before = router.plans.size;
      const plan = await router.planRoute(model, caller);
      if (router.plans.size === before && last.get(`${model} ${caller}`) === plan.routes[0]) hits++;
      last.set(`${model} ${caller}`, plan.routes[0]);
    },
  );
  last = new Map();
  const cold = await time(Math.ceil(opts.samples / 10), churn, (i) => router.planRoute(...pick(i)));
  const explained = await time(
    Math.ceil(opts.samples / 10),
    () => {},
    async (i) => (await router.explain(...pick(i))).excluded.length,
  );
  const deps = { config, catalog: router.catalog, secrets, cooldowns: router.cooldowns, clock: router.clock };
  const before = await time(
    Math.ceil(opts.samples / 10),
    () => {},
    async (i) => {
      const [model, caller] = pick(i);
      return router.policy.apply(await referencePlan(model, caller, deps), config, Date.now(), { advance: true });
    },
  );
  await router.close();
  const [cr, cc, ce, cb] = cpuOf as [Summary, Summary, Summary, Summary];
  const hitRatio = Math.round((hits / opts.samples) * 1000) / 1000;
  return { keys: config.keys.length, callers: CALLERS, routed, hitRatio, cold, explained, before, cpu: { routed: cr, cold: cc, explained: ce, before: cb } };
}
